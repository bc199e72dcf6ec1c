#pragma once

// Internal to YamlEditor: the helpers its .cpp files share, on the YAML text (indentation, a
// value's properties, a value written after "key:", a value replaced in place) and on the trees
// that YAML reads from it.

#include "common/error.h"
#include "yamlblockscanner.h"
#include "yamlnode.h"

#include <QByteArray>
#include <QStringList>

namespace trainyard::core::yamleditortext {

using Entry = YamlBlockScanner::Entry;

/// `n` blanks, none when `n` is negative.
QByteArray spaces(int n);
/// Same value as YAML reads it: kind, text, quoting (it decides the type), tag, order. Positions differ.
bool sameTree(const YamlNode &a, const YamlNode &b);
/// The inline part of an anchor/tag/alias-bearing value: "&a !t rest" -> "rest".
QByteArray withoutProperties(QByteArray v);
/// What follows "key:" for `n`: " scalar", " []", or eol and block lines deeper than `indent`.
Result<QByteArray> emitAfterColon(const YamlNode &n, int indent, int seqOffset, const QByteArray &eol);
/// The text with `entry`'s value replaced by `after`, the key line's comment kept where it fits.
QByteArray replaceValue(const QByteArray &text, const YamlBlockScanner &s, const Entry &entry, const QByteArray &after);
/// `base` with the value at `path` set to `leaf`, creating (or replacing non-hash values by) hashes on the way.
YamlNode withPath(YamlNode base, const QStringList &path, const YamlNode &leaf);
/// `base` without the value at `path` and the hashes it leaves empty (`base` too, as null, when `pruneSelf`).
YamlNode withoutPath(YamlNode base, const QStringList &path, bool pruneSelf);
/// The value at `path` below `node`, or nullptr.
const YamlNode *atPath(const YamlNode *node, const QStringList &path);

} // namespace trainyard::core::yamleditortext
