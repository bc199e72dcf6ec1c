#include "globpattern.h"

#include <QList>

#include <string>
#include <vector>

// A port of the matching rules of Ruby's dir.c (fnmatch, fnmatch_helper, bracket and
// ruby_brace_expand) for the flags GitLab passes, so edge cases agree with GitLab:
// an unterminated '[' never matches, a '{' without its '}' makes the whole pattern match nothing,
// a lone '}' is literal, "**" not followed by '/' is a plain '*'.
//
// Cost: inside one path segment '*' backtracks only to the most recent '*', and across segments
// only to the most recent "**/", so matching is polynomial (no exponential blowup on "*a*a*a*b").
// Brace expansion can multiply, so it is capped by MaxAlternatives and a character budget.

namespace trainyard::core {

namespace {

using Text = std::u32string;

constexpr size_t npos = Text::npos;
/// Total characters of expanded alternatives we are willing to match for one pattern.
constexpr size_t MaxExpandedChars = size_t(1) << 16;

Text toText(const QString &s)
{
    const QList<uint> ucs4 = s.toUcs4();
    Text out;
    out.reserve(size_t(ucs4.size()));
    for (const uint c : ucs4)
        out.push_back(char32_t(c));
    return out;
}

class Matcher final
{
public:
    Matcher(const Text &pattern, const Text &path)
        : m_p(pattern)
        , m_s(path)
    {}

    // fnmatch() with FNM_PATHNAME: match segment by segment; on failure retry the segments
    // after the most recent "**/" one directory further down the path.
    bool run() const
    {
        size_t p = 0;
        size_t s = 0;
        size_t ptmp = npos;
        size_t stmp = npos;
        while (true) {
            if (isDoubleStarSlash(p)) {
                do {
                    p += 3;
                } while (isDoubleStarSlash(p));
                ptmp = p;
                stmp = s;
            }
            if (matchSegment(p, s)) {
                while (S(s) != 0 && S(s) != U'/')
                    ++s;
                if (P(p) != 0 && S(s) != 0) {
                    ++p;
                    ++s;
                    continue;
                }
                if (P(p) == 0 && S(s) == 0)
                    return true;
            }
            if (ptmp != npos) {
                while (S(stmp) != 0 && S(stmp) != U'/')
                    ++stmp;
                if (S(stmp) != 0) {
                    p = ptmp;
                    ++stmp;
                    s = stmp;
                    continue;
                }
            }
            return false;
        }
    }

private:
    char32_t P(size_t i) const { return i < m_p.size() ? m_p[i] : 0; }
    char32_t S(size_t i) const { return i < m_s.size() ? m_s[i] : 0; }
    bool isDoubleStarSlash(size_t p) const { return P(p) == U'*' && P(p + 1) == U'*' && P(p + 2) == U'/'; }
    size_t unescape(size_t p) const { return P(p) == U'\\' ? p + 1 : p; }
    bool patternEnd(size_t p) const { return P(p) == 0 || P(p) == U'/'; }
    bool pathEnd(size_t s) const { return S(s) == 0 || S(s) == U'/'; }

    // fnmatch_helper(): matches one segment starting at p / s; on success p and s stop at the
    // end of the segment ('/' or the end) that was matched.
    bool matchSegment(size_t &pcur, size_t &scur) const
    {
        size_t p = pcur;
        size_t s = scur;
        size_t ptmp = npos;
        size_t stmp = npos;
        auto done = [&](bool result) {
            pcur = p;
            scur = s;
            return result;
        };
        while (true) {
            const char32_t c = P(p);
            if (c == U'*') {
                do {
                    ++p;
                } while (P(p) == U'*');
                if (patternEnd(unescape(p))) {
                    p = unescape(p);
                    return done(true);
                }
                if (pathEnd(s))
                    return done(false);
                ptmp = p;
                stmp = s;
                continue;
            }
            if (c == U'?') {
                if (pathEnd(s))
                    return done(false);
                ++p;
                ++s;
                continue;
            }
            if (c == U'[') {
                if (pathEnd(s))
                    return done(false);
                const size_t after = bracket(p + 1, S(s));
                if (after != npos) {
                    p = after;
                    ++s;
                    continue;
                }
            } else {
                p = unescape(p);
                if (pathEnd(s))
                    return done(patternEnd(p));
                if (!patternEnd(p) && P(p) == S(s)) {
                    ++p;
                    ++s;
                    continue;
                }
            }
            // Mismatch here.
            if (ptmp != npos) { // retry: let the last '*' eat one more character
                p = ptmp;
                ++stmp;
                s = stmp;
                continue;
            }
            return done(false);
        }
    }

    // bracket(): `p` is just after '['. Returns the index after the closing ']' when `c` is in the
    // class, npos when it is not or the class is malformed.
    size_t bracket(size_t p, char32_t c) const
    {
        if (p >= m_p.size())
            return npos;
        bool negate = false;
        bool ok = false;
        if (P(p) == U'!' || P(p) == U'^') {
            negate = true;
            ++p;
        }
        while (P(p) != U']') {
            size_t t1 = p;
            if (P(t1) == U'\\')
                ++t1;
            if (P(t1) == 0)
                return npos;
            p = t1 + 1;
            if (p >= m_p.size())
                return npos;
            if (P(p) == U'-' && P(p + 1) != U']') {
                size_t t2 = p + 1;
                if (P(t2) == U'\\')
                    ++t2;
                if (P(t2) == 0)
                    return npos;
                p = t2 + 1;
                if (!ok && c >= P(t1) && c <= P(t2))
                    ok = true;
                if (!ok && (c == P(t1) || c == P(t2)))
                    ok = true;
            } else if (!ok && c == P(t1)) {
                ok = true;
            }
        }
        return ok == negate ? npos : p + 1;
    }

    const Text &m_p;
    const Text &m_s;
};

/// Splits off the first top-level "{...}" of `s` as Ruby's ruby_brace_expand() does. Returns
/// false when `s` has an unclosed '{' (Ruby then yields nothing for it).
bool findBraces(const Text &s, size_t &lbrace, size_t &rbrace)
{
    lbrace = npos;
    rbrace = npos;
    int nest = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == U'{' && nest++ == 0)
            lbrace = i;
        if (s[i] == U'}' && lbrace != npos && --nest == 0) {
            rbrace = i;
            break;
        }
        if (s[i] == U'\\' && ++i >= s.size())
            break;
    }
    return lbrace == npos || rbrace != npos;
}

Text stripLeading(Text pattern)
{
    size_t i = 0;
    while (true) {
        if (pattern.compare(i, 2, U"./") == 0)
            i += 2;
        else if (i < pattern.size() && pattern[i] == U'/')
            i += 1;
        else
            break;
    }
    return pattern.substr(i);
}

} // namespace

bool GlobPattern::match(const QString &pattern, const QString &path)
{
    // Ruby works on C strings: a NUL would end them early. Such input is never a real path.
    if (pattern.contains(QChar(0)) || path.contains(QChar(0)))
        return false;
    const Text text = toText(path);

    // Expand braces depth-first with an explicit stack (no recursion to overflow), matching
    // each brace-free alternative as it comes.
    std::vector<Text> stack{stripLeading(toText(pattern))};
    // Budgets count every alternative produced, so the stack can never hold more than them.
    int alternatives = 1;
    size_t chars = stack.front().size();
    while (!stack.empty()) {
        const Text current = std::move(stack.back());
        stack.pop_back();
        size_t lbrace = npos;
        size_t rbrace = npos;
        if (!findBraces(current, lbrace, rbrace))
            continue;
        if (lbrace == npos) {
            if (Matcher(current, text).run())
                return true;
            continue;
        }
        const Text prefix = current.substr(0, lbrace);
        const Text suffix = current.substr(rbrace + 1);
        std::vector<Text> parts;
        size_t p = lbrace;
        while (p < rbrace) {
            const size_t start = ++p;
            int nest = 0;
            while (p < rbrace && !(current[p] == U',' && nest == 0)) {
                if (current[p] == U'{')
                    ++nest;
                if (current[p] == U'}')
                    --nest;
                if (current[p] == U'\\' && ++p == rbrace)
                    break;
                ++p;
            }
            const size_t length = prefix.size() + (p - start) + suffix.size();
            if (++alternatives > MaxAlternatives || (chars += length) > MaxExpandedChars)
                return false;
            parts.push_back(prefix + current.substr(start, p - start) + suffix);
        }
        // Reverse so the first alternative is tried first.
        for (auto it = parts.rbegin(); it != parts.rend(); ++it)
            stack.push_back(std::move(*it));
    }
    return false;
}

bool GlobPattern::isLiteral(const QString &pattern)
{
    for (const QChar c : pattern) {
        if (c == u'*' || c == u'?' || c == u'[' || c == u'{' || c == u'\\')
            return false;
    }
    return true;
}

} // namespace trainyard::core
