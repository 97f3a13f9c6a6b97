#pragma once
// The completion handlers of a connection's asynchronous operations: each keeps its owner
// alive while pending, and whatever it throws ends that owner only (logged, then
// `on_failure(owner, error)`), never the server's I/O thread.
#include <exception>
#include <memory>
#include <utility>

namespace csm::serve {

template <class Owner, class F, class OnFailure>
auto guarded_completion(std::shared_ptr<Owner> self, F f, OnFailure on_failure) {
  return [self = std::move(self), f = std::move(f), on_failure](auto&&... args) mutable {
    try {
      f(std::forward<decltype(args)>(args)...);
    } catch (const std::exception& e) {
      on_failure(*self, e);
    }
  };
}

}  // namespace csm::serve
