// The subcommands of `clueline`. Each takes the arguments after its name,
// returns the process exit code, and throws UsageError, ConfigError or
// std::runtime_error on failure (reported by main as one line).
#pragma once

#include <span>

namespace clueline::app {

int serve(std::span<char*> args);
int demo(std::span<char*> args);
int keygen(std::span<char*> args);
int submit(std::span<char*> args);
int open(std::span<char*> args);
int unit(std::span<char*> args);
int site(std::span<char*> args);
// site qr, site poster, site verify (poster_commands.cpp).
int site_qr(std::span<char*> args);
int site_poster(std::span<char*> args);
int site_verify(std::span<char*> args);
int route(std::span<char*> args);
int audit(std::span<char*> args);
int queue(std::span<char*> args);
int deadlines(std::span<char*> args);

}  // namespace clueline::app
