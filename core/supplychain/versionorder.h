#pragma once

// The version orderings of the package ecosystems an image's bill of materials names, as each
// ecosystem's own tools order them: Debian/Ubuntu (dpkg), Alpine (apk) and Python (PEP 440). A
// scanner that compared "1:1.0" with "2.0" as text would call a fixed package vulnerable.

#include <QString>

namespace trainyard::core {

/// The ecosystems Trainyard reads from images and matches against advisories.
enum class Ecosystem { Debian, Alpine, PyPI, Unknown };

/// "Debian", "Alpine", "PyPI"; the same names as the OSV schema's ecosystems (without a release).
QString ecosystemName(Ecosystem ecosystem);
/// The ecosystem of an OSV name: "Debian:12", "Ubuntu:22.04" and "Ubuntu:Pro:…" are dpkg's,
/// "Alpine:v3.18" apk's, "PyPI" Python's; anything else Unknown.
Ecosystem ecosystemOf(const QString &osvEcosystem);

/// dpkg's ordering of `[epoch:]upstream[-revision]`: the epoch as a number, then upstream and
/// revision as alternating runs of non-digits (letters before other characters, `~` before
/// everything, even the end of the string) and numbers. <0, 0, >0 as a before, equal to, after b.
int compareDebianVersions(const QString &a, const QString &b);

/// apk's ordering of `digits(.digits)*[letter](_suffix[digits])*[-rN]`: numbers compared as
/// numbers, a letter after them, then suffixes (_alpha < _beta < _pre < _rc < none < _cvs < _svn
/// < _git < _hg < _p), then the package revision -rN. Text apk does not parse is compared as
/// text after what it does.
int compareAlpineVersions(const QString &a, const QString &b);

/// PEP 440's ordering: `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`, normalised as pip does
/// (alpha/beta/c/pre/preview spellings, `-`/`_` separators, implicit post releases "1.0-1",
/// trailing zeros of the release ignored); dev releases before pre-releases before the release
/// before its post releases; a local label after the same public version. A version PEP 440
/// cannot read sorts before every one it can, and among such versions as text.
int comparePep440Versions(const QString &a, const QString &b);

/// The ordering of `ecosystem`; Unknown compares as text.
int compareVersions(Ecosystem ecosystem, const QString &a, const QString &b);

} // namespace trainyard::core
