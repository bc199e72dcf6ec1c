// A minimal, deterministic ustar writer (regular files only, mtime 0, uid/gid 0, mode 0644).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace demo {

struct TarEntry
{
    std::string name; // at most 100 bytes, no directories needed
    std::string data;
};

// The archive bytes: one 512-byte header per file, data padded to 512, two zero blocks, the whole
// padded to a 10240-byte record like tar(1) writes. Returns nullopt and error for a bad name.
std::optional<std::string> makeTar(const std::vector<TarEntry> &entries, std::string &error);
// Reads back what makeTar wrote (checks magic and header checksums); used by the self-test.
std::optional<std::vector<TarEntry>> readTar(std::string_view bytes, std::string &error);

} // namespace demo
