#include "ruleregex.h"

namespace trainyard::core {

/// Describes the first construct in `re` that RE2 (GitLab's regex engine) rejects but PCRE
/// (QRegularExpression) would accept: backreferences, lookaround, atomic groups, possessive
/// quantifiers and a few escapes. Returns an empty string when there is none.
QString RuleRegex::unsupportedByRe2(const QString &re)
{
    const int n = int(re.size());
    bool inClass = false;
    for (int i = 0; i < n; ++i) {
        const QChar c = re.at(i);
        if (c == u'\\') {
            if (i + 1 >= n)
                return {}; // a trailing backslash: QRegularExpression reports it
            const QChar e = re.at(i + 1);
            if (e == u'Q') { // \Q...\E quotes everything up to \E
                const int end = int(re.indexOf(QStringLiteral("\\E"), i + 2));
                if (end < 0)
                    return {};
                i = end + 1;
                continue;
            }
            if (!inClass) {
                if ((e >= u'1' && e <= u'9') || e == u'k' || e == u'g')
                    return QStringLiteral("backreference \\%1").arg(e);
                if (e == u'Z' || e == u'G' || e == u'K' || e == u'R' || e == u'X' || e == u'c')
                    return QStringLiteral("escape \\%1").arg(e);
            }
            ++i;
            continue;
        }
        if (inClass) {
            if (c == u'[' && i + 1 < n && re.at(i + 1) == u':') { // [:alpha:]
                const int end = int(re.indexOf(QStringLiteral(":]"), i + 2));
                if (end >= 0)
                    i = end + 1;
            } else if (c == u']') {
                inClass = false;
            }
            continue;
        }
        if (c == u'[') {
            inClass = true;
            // A ']' right after '[' or '[^' is a literal member, not the end of the class.
            int j = i + 1;
            if (j < n && re.at(j) == u'^')
                ++j;
            if (j < n && re.at(j) == u']')
                ++j;
            i = j - 1;
            continue;
        }
        if (c == u'(' && i + 1 < n && re.at(i + 1) == u'?') {
            const QStringView rest = QStringView(re).mid(i + 2);
            if (rest.startsWith(u':') || rest.startsWith(u"P<"))
                continue;
            if (rest.startsWith(u'<') && !rest.startsWith(u"<=") && !rest.startsWith(u"<!"))
                continue;
            // (?flags) or (?flags:...)
            int k = 0;
            while (k < rest.size() && QStringView(u"imsU-").contains(rest.at(k)))
                ++k;
            if (k > 0 && k < rest.size() && (rest.at(k) == u')' || rest.at(k) == u':'))
                continue;
            return QStringLiteral("group (?%1").arg(rest.left(1).toString());
        }
        if ((c == u'*' || c == u'+' || c == u'?') && i + 1 < n && re.at(i + 1) == u'+')
            return QStringLiteral("possessive quantifier %1+").arg(c);
    }
    return {};
}

/// Compiles an RE2-syntax body with GitLab's flags (i, m, s, U) into a QRegularExpression.
/// Returns the reason on failure.
std::optional<QRegularExpression> RuleRegex::compile(const QString &body, const QString &flags, QString *why)
{
    const QString unsupported = unsupportedByRe2(body);
    if (!unsupported.isEmpty()) {
        *why = QStringLiteral("%1 is not supported (GitLab uses RE2)").arg(unsupported);
        return std::nullopt;
    }
    QRegularExpression::PatternOptions options;
    for (const QChar f : flags) {
        if (f == u'i')
            options |= QRegularExpression::CaseInsensitiveOption;
        else if (f == u'm')
            options |= QRegularExpression::MultilineOption;
        else if (f == u's')
            options |= QRegularExpression::DotMatchesEverythingOption;
        else if (f == u'U')
            options |= QRegularExpression::InvertedGreedinessOption;
    }
    // Known gap: without `m`, RE2's `$` matches only at the very end, PCRE's also before a final
    // newline. Values rarely end in a newline, so we accept the difference.
    QRegularExpression re(body, options);
    if (!re.isValid()) {
        *why = re.errorString();
        return std::nullopt;
    }
    return re;
}

bool RuleRegex::isFlag(QChar c)
{
    return c == u'i' || c == u'm' || c == u's' || c == u'U';
}

/// A variable's or string's value used as the right side of =~: GitLab turns "/body/flags" into
/// a regex (after unescaping "\/"), reading the body up to the last slash. Anything else,
/// including an invalid regex, stays a plain string.
std::optional<QRegularExpression> RuleRegex::fromValue(const QString &value)
{
    QString s = value;
    s.replace(QStringLiteral("\\/"), QStringLiteral("/"));
    if (!s.startsWith(u'/') || s.contains(u'\n'))
        return std::nullopt;
    const int last = int(s.lastIndexOf(u'/'));
    if (last < 2)
        return std::nullopt;
    const QString flags = s.mid(last + 1);
    for (const QChar f : flags) {
        if (!isFlag(f))
            return std::nullopt;
    }
    QString why;
    return compile(s.mid(1, last - 1), flags, &why);
}

} // namespace trainyard::core
