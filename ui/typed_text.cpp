#include "typed_text.h"

#include <QMutexLocker>

void TypedText::append(const QString& text) {
  if (!text.isEmpty()) send(Op::Append, text);
}

void TypedText::flush() { send(Op::Flush, {}); }

void TypedText::end() { send(Op::End, {}); }

void TypedText::send(Op op, const QString& text) {
  QMutexLocker lock(&mutex_);
  sent_ += text;
  if (sink_) sink_(op, text);
  else backlog_.push_back({op, text});
}

void TypedText::attach(Sink sink) {
  QMutexLocker lock(&mutex_);
  sink_ = std::move(sink);
  for (const auto& [op, text] : backlog_) sink_(op, text);
  backlog_.clear();
}

void TypedText::detach() {
  QMutexLocker lock(&mutex_);
  sink_ = nullptr;
}

QString TypedText::sent() const {
  QMutexLocker lock(&mutex_);
  return sent_;
}
