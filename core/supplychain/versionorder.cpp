#include "versionorder.h"

#include <QList>
#include <QRegularExpression>

#include <algorithm>
#include <limits>
#include <optional>

namespace trainyard::core {

QString ecosystemName(Ecosystem ecosystem)
{
    switch (ecosystem) {
    case Ecosystem::Debian:
        return QStringLiteral("Debian");
    case Ecosystem::Alpine:
        return QStringLiteral("Alpine");
    case Ecosystem::PyPI:
        return QStringLiteral("PyPI");
    case Ecosystem::Unknown:
        break;
    }
    return QStringLiteral("unknown");
}

Ecosystem ecosystemOf(const QString &osvEcosystem)
{
    const QString base = osvEcosystem.section(u':', 0, 0).trimmed();
    if (base.compare(QLatin1String("Debian"), Qt::CaseInsensitive) == 0 ||
        base.compare(QLatin1String("Ubuntu"), Qt::CaseInsensitive) == 0)
        return Ecosystem::Debian;
    if (base.compare(QLatin1String("Alpine"), Qt::CaseInsensitive) == 0)
        return Ecosystem::Alpine;
    if (base.compare(QLatin1String("PyPI"), Qt::CaseInsensitive) == 0)
        return Ecosystem::PyPI;
    return Ecosystem::Unknown;
}

namespace {

int sign(qint64 v)
{
    return v < 0 ? -1 : (v > 0 ? 1 : 0);
}

// --- dpkg ---------------------------------------------------------------------------------------

int dpkgOrder(QChar c)
{
    if (c.isNull())
        return 0;
    const char16_t u = c.unicode();
    if (u >= u'0' && u <= u'9')
        return 0;
    if ((u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z'))
        return u;
    if (u == u'~')
        return -1;
    return u + 256;
}

bool isDigit(QChar c)
{
    return c.unicode() >= u'0' && c.unicode() <= u'9';
}

/// dpkg's comparison of an upstream version or a revision.
int dpkgCompareParts(const QString &a, const QString &b)
{
    qsizetype i = 0, j = 0;
    const auto at = [](const QString &s, qsizetype k) { return k < s.size() ? s.at(k) : QChar(); };
    while (i < a.size() || j < b.size()) {
        while ((i < a.size() && !isDigit(a.at(i))) || (j < b.size() && !isDigit(b.at(j)))) {
            const int ac = dpkgOrder(at(a, i));
            const int bc = dpkgOrder(at(b, j));
            if (ac != bc)
                return sign(ac - bc);
            ++i;
            ++j;
        }
        while (i < a.size() && a.at(i) == u'0')
            ++i;
        while (j < b.size() && b.at(j) == u'0')
            ++j;
        int firstDiff = 0;
        while (i < a.size() && j < b.size() && isDigit(a.at(i)) && isDigit(b.at(j))) {
            if (!firstDiff)
                firstDiff = a.at(i).unicode() - b.at(j).unicode();
            ++i;
            ++j;
        }
        if (i < a.size() && isDigit(a.at(i)))
            return 1;
        if (j < b.size() && isDigit(b.at(j)))
            return -1;
        if (firstDiff)
            return sign(firstDiff);
    }
    return 0;
}

struct DebianVersion
{
    qint64 epoch = 0;
    QString upstream;
    QString revision;
};

DebianVersion parseDebian(const QString &text)
{
    DebianVersion v;
    QString rest = text.trimmed();
    const qsizetype colon = rest.indexOf(u':');
    if (colon > 0) {
        bool ok = false;
        const qint64 epoch = rest.left(colon).toLongLong(&ok);
        if (ok) {
            v.epoch = epoch;
            rest = rest.mid(colon + 1);
        }
    }
    const qsizetype dash = rest.lastIndexOf(u'-');
    if (dash >= 0) {
        v.upstream = rest.left(dash);
        v.revision = rest.mid(dash + 1);
    } else {
        v.upstream = rest;
    }
    return v;
}

// --- apk ----------------------------------------------------------------------------------------

struct AlpineVersion
{
    QStringList numbers;                    ///< the dotted digits, as written
    QChar letter;                           ///< after the numbers, if any
    QList<std::pair<int, qint64>> suffixes; ///< (rank, number)
    qint64 revision = 0;                    ///< -rN
    QString rest;                           ///< what apk would not parse
};

constexpr int kNoSuffixRank = 4;

int alpineSuffixRank(const QString &name)
{
    static const QStringList order{QStringLiteral("alpha"),
                                   QStringLiteral("beta"),
                                   QStringLiteral("pre"),
                                   QStringLiteral("rc"),
                                   QString(),
                                   QStringLiteral("cvs"),
                                   QStringLiteral("svn"),
                                   QStringLiteral("git"),
                                   QStringLiteral("hg"),
                                   QStringLiteral("p")};
    const qsizetype i = order.indexOf(name);
    return i < 0 ? -1 : int(i);
}

AlpineVersion parseAlpine(const QString &text)
{
    AlpineVersion v;
    const QString s = text.trimmed();
    qsizetype i = 0;
    while (i < s.size()) {
        qsizetype j = i;
        while (j < s.size() && isDigit(s.at(j)))
            ++j;
        if (j == i)
            break;
        v.numbers.append(s.mid(i, j - i));
        i = j;
        if (i < s.size() && s.at(i) == u'.' && i + 1 < s.size() && isDigit(s.at(i + 1)))
            ++i;
        else
            break;
    }
    if (i < s.size() && s.at(i).isLower() && s.at(i).isLetter() && (i + 1 == s.size() || !s.at(i + 1).isLetter())) {
        v.letter = s.at(i);
        ++i;
    }
    while (i < s.size() && s.at(i) == u'_') {
        qsizetype j = i + 1;
        while (j < s.size() && s.at(j).isLetter())
            ++j;
        const int rank = alpineSuffixRank(s.mid(i + 1, j - i - 1));
        if (rank < 0)
            break;
        qsizetype k = j;
        while (k < s.size() && isDigit(s.at(k)))
            ++k;
        v.suffixes.append({rank, s.mid(j, k - j).toLongLong()});
        i = k;
    }
    if (s.mid(i, 2) == QLatin1String("-r")) {
        qsizetype k = i + 2;
        while (k < s.size() && isDigit(s.at(k)))
            ++k;
        if (k > i + 2) {
            v.revision = s.mid(i + 2, k - i - 2).toLongLong();
            i = k;
        }
    }
    v.rest = s.mid(i);
    return v;
}

/// apk compares the first number as a number and later ones with a leading zero as text
/// ("1.02" < "1.1"), the others as numbers.
int compareAlpineNumber(const QString &a, const QString &b, bool first)
{
    if (!first && (a.startsWith(u'0') || b.startsWith(u'0')))
        return sign(a.compare(b));
    QString x = a, y = b;
    while (x.size() > 1 && x.startsWith(u'0'))
        x.remove(0, 1);
    while (y.size() > 1 && y.startsWith(u'0'))
        y.remove(0, 1);
    if (x.size() != y.size())
        return x.size() < y.size() ? -1 : 1;
    return sign(x.compare(y));
}

// --- PEP 440 ------------------------------------------------------------------------------------

struct Pep440Version
{
    qint64 epoch = 0;
    QList<qint64> release;
    // pre: rank 0 a, 1 b, 2 rc; nullopt: none
    std::optional<std::pair<int, qint64>> pre;
    std::optional<qint64> post;
    std::optional<qint64> dev;
    QStringList local;
};

std::optional<Pep440Version> parsePep440(const QString &text)
{
    // The grammar of PEP 440's appendix ("Parsing version strings with regular expressions").
    static const QRegularExpression re(QStringLiteral(R"(^\s*v?(?:(\d+)!)?(\d+(?:\.\d+)*))"
                                                      R"((?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d+)?)?)"
                                                      R"((?:-(\d+)|(?:[-_.]?(post|rev|r)[-_.]?(\d+)?))?)"
                                                      R"((?:[-_.]?(dev)[-_.]?(\d+)?)?)"
                                                      R"((?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$)"),
                                       QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch m = re.match(text);
    if (!m.hasMatch())
        return std::nullopt;
    Pep440Version v;
    v.epoch = m.captured(1).toLongLong();
    for (const QString &part : m.captured(2).split(u'.'))
        v.release.append(part.toLongLong());
    while (v.release.size() > 1 && v.release.last() == 0)
        v.release.removeLast();
    if (m.capturedLength(3) > 0) {
        const QString l = m.captured(3).toLower();
        const int rank = (l == QLatin1String("a") || l == QLatin1String("alpha"))  ? 0
                         : (l == QLatin1String("b") || l == QLatin1String("beta")) ? 1
                                                                                   : 2;
        v.pre = std::make_pair(rank, m.captured(4).toLongLong());
    }
    if (m.capturedLength(5) > 0)
        v.post = m.captured(5).toLongLong();
    else if (m.capturedLength(6) > 0)
        v.post = m.captured(7).toLongLong();
    if (m.capturedLength(8) > 0)
        v.dev = m.captured(9).toLongLong();
    if (m.capturedLength(10) > 0) {
        static const QRegularExpression separators(QStringLiteral("[-_.]"));
        v.local = m.captured(10).toLower().split(separators);
    }
    return v;
}

int comparePep440(const Pep440Version &a, const Pep440Version &b)
{
    if (a.epoch != b.epoch)
        return a.epoch < b.epoch ? -1 : 1;
    for (qsizetype i = 0; i < std::max(a.release.size(), b.release.size()); ++i) {
        const qint64 x = i < a.release.size() ? a.release.at(i) : 0;
        const qint64 y = i < b.release.size() ? b.release.at(i) : 0;
        if (x != y)
            return x < y ? -1 : 1;
    }
    // The pre-release key: a dev release with neither pre nor post comes before every pre-release;
    // no pre-release comes after every one.
    const auto preKey = [](const Pep440Version &v) -> std::pair<int, qint64> {
        if (!v.pre && !v.post && v.dev)
            return {-1, 0};
        if (!v.pre)
            return {3, 0};
        return *v.pre;
    };
    if (const auto pa = preKey(a), pb = preKey(b); pa != pb)
        return pa < pb ? -1 : 1;
    const qint64 postA = a.post ? *a.post : -1;
    const qint64 postB = b.post ? *b.post : -1;
    if (postA != postB)
        return postA < postB ? -1 : 1;
    const qint64 devA = a.dev ? *a.dev : std::numeric_limits<qint64>::max();
    const qint64 devB = b.dev ? *b.dev : std::numeric_limits<qint64>::max();
    if (devA != devB)
        return devA < devB ? -1 : 1;
    // Local labels: none first; segment by segment, numbers after words, numbers as numbers.
    for (qsizetype i = 0; i < std::max(a.local.size(), b.local.size()); ++i) {
        if (i >= a.local.size())
            return -1;
        if (i >= b.local.size())
            return 1;
        bool numA = false, numB = false;
        const qint64 x = a.local.at(i).toLongLong(&numA);
        const qint64 y = b.local.at(i).toLongLong(&numB);
        if (numA != numB)
            return numA ? 1 : -1;
        if (numA && x != y)
            return x < y ? -1 : 1;
        if (!numA && a.local.at(i) != b.local.at(i))
            return sign(a.local.at(i).compare(b.local.at(i)));
    }
    return 0;
}

} // namespace

int compareDebianVersions(const QString &a, const QString &b)
{
    const DebianVersion x = parseDebian(a);
    const DebianVersion y = parseDebian(b);
    if (x.epoch != y.epoch)
        return x.epoch < y.epoch ? -1 : 1;
    if (const int c = dpkgCompareParts(x.upstream, y.upstream))
        return c;
    return dpkgCompareParts(x.revision, y.revision);
}

int compareAlpineVersions(const QString &a, const QString &b)
{
    const AlpineVersion x = parseAlpine(a);
    const AlpineVersion y = parseAlpine(b);
    for (qsizetype i = 0; i < std::min(x.numbers.size(), y.numbers.size()); ++i) {
        if (const int c = compareAlpineNumber(x.numbers.at(i), y.numbers.at(i), i == 0))
            return c;
    }
    if (x.numbers.size() != y.numbers.size())
        return x.numbers.size() < y.numbers.size() ? -1 : 1;
    if (x.letter != y.letter)
        return x.letter.unicode() < y.letter.unicode() ? -1 : 1;
    for (qsizetype i = 0; i < std::max(x.suffixes.size(), y.suffixes.size()); ++i) {
        const auto sx = i < x.suffixes.size() ? x.suffixes.at(i) : std::make_pair(kNoSuffixRank, qint64(0));
        const auto sy = i < y.suffixes.size() ? y.suffixes.at(i) : std::make_pair(kNoSuffixRank, qint64(0));
        if (sx != sy)
            return sx < sy ? -1 : 1;
    }
    if (x.revision != y.revision)
        return x.revision < y.revision ? -1 : 1;
    return sign(x.rest.compare(y.rest));
}

int comparePep440Versions(const QString &a, const QString &b)
{
    const auto x = parsePep440(a);
    const auto y = parsePep440(b);
    if (x && y)
        return comparePep440(*x, *y);
    if (x || y)
        return x ? 1 : -1;
    return sign(a.trimmed().compare(b.trimmed()));
}

int compareVersions(Ecosystem ecosystem, const QString &a, const QString &b)
{
    switch (ecosystem) {
    case Ecosystem::Debian:
        return compareDebianVersions(a, b);
    case Ecosystem::Alpine:
        return compareAlpineVersions(a, b);
    case Ecosystem::PyPI:
        return comparePep440Versions(a, b);
    case Ecosystem::Unknown:
        break;
    }
    return sign(a.compare(b));
}

} // namespace trainyard::core
