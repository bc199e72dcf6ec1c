#include "variableexpander.h"

namespace trainyard::core {

namespace {
bool isNameChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'_';
}
} // namespace

QString VariableExpander::expand(const QString &text, const QHash<QString, QString> &variables)
{
    if (!text.contains(u'$'))
        return text;
    QString out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c != u'$' || i + 1 >= text.size()) {
            out += c;
            continue;
        }
        const QChar next = text.at(i + 1);
        if (next == u'$') {
            out += u'$';
            ++i;
            continue;
        }
        if (next == u'{') {
            const qsizetype close = text.indexOf(u'}', i + 2);
            if (close < 0) {
                out += c;
                continue;
            }
            out += variables.value(text.mid(i + 2, close - i - 2));
            i = close;
            continue;
        }
        if (isNameChar(next)) {
            qsizetype end = i + 1;
            while (end < text.size() && isNameChar(text.at(end)))
                ++end;
            out += variables.value(text.mid(i + 1, end - i - 1));
            i = end - 1;
            continue;
        }
        out += c;
    }
    return out;
}

void VariableExpander::addAll(QHash<QString, QString> &into, const Variables &vars)
{
    for (const Variable &v : vars)
        into.insert(v.name, v.expand ? expand(v.value, into) : v.value);
}

} // namespace trainyard::core
