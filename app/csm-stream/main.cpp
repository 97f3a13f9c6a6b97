// csm-stream: text to speech, streamed. (Placeholder until the model lands.)
#include <iostream>

#include "common/cli_args.h"

namespace {
int stream_main(int argc, char** argv) {
  csm::cli::Args args("csm-stream", "Text to speech with CSM, streamed (the generator is not built yet).", {});
  if (!args.parse(argc, argv)) return 0;
  std::cout << "csm-stream: placeholder — the model and generator arrive with the next issues.\n";
  return 0;
}
}  // namespace

int main(int argc, char** argv) { return csm::cli::run_main("csm-stream", stream_main, argc, argv); }
