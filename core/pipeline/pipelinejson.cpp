#include "pipelinejson.h"

namespace trainyard::core {

QByteArray PipelineJson::quote(const QString &text)
{
    QByteArray out;
    out.reserve(text.size() + 2);
    out += '"';
    for (const char c : text.toUtf8()) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
                out += buf;
            } else {
                out += c;
            }
        }
    }
    out += '"';
    return out;
}

QByteArray PipelineJson::jobList(const Pipeline &pipeline)
{
    QByteArray out = "[";
    bool first = true;
    for (const Job &job : pipeline.jobs) {
        out += first ? "\n  {" : ",\n  {";
        first = false;
        out += "\"name\": " + quote(job.name);
        out += ", \"stage\": " + quote(job.stage);
        out += ", \"when\": " + quote(whenToString(job.when));
        out += ", \"allow_failure\": ";
        out += job.allowFailure ? "true" : "false";
        if (job.needs) {
            out += ", \"needs\": [";
            bool firstNeed = true;
            for (const Need &n : *job.needs) {
                if (!n.isLocal())
                    continue;
                out += firstNeed ? "" : ", ";
                firstNeed = false;
                out += "{\"job\": " + quote(n.job) + ", \"artifacts\": " + (n.artifacts ? "true" : "false") +
                       ", \"optional\": " + (n.optional ? "true" : "false") + "}";
            }
            out += "]";
        }
        out += "}";
    }
    out += first ? "]\n" : "\n]\n";
    return out;
}

} // namespace trainyard::core
