#include "command.h"
#include "common/username.h"
#include "lineagecli.h"

#include "lineage/provenance.h"
#include "lineage/provenanceexport.h"
#include "lineage/releasereview.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

namespace trainyard::app {

using namespace trainyard::core;

namespace {

// Some check of the checklist failed (the review and any sign-off or export still happened).
constexpr int ExitChecksFailed = 3;

} // namespace

Command reviewCommand()
{
    Command c;
    c.name = QStringLiteral("review");
    c.brief = QStringLiteral("Release review of an artifact: its checklist, sign-offs, approve or reject, and export.");
    c.summary = QStringLiteral(
        "Release review of an artifact: the checklist computed from its lineage, the sign-offs (append-only;\n"
        "stale once the lineage changed), approve or reject, and export as Markdown, HTML or in-toto/SLSA JSON.\n"
        "Exit status: 0 every check passed (unknown ones do not block), 3 a check failed, 1 artifact not found,\n"
        "2 invalid options.");
    c.arguments = QStringLiteral("ARTIFACT");
    c.addOptions = [](QCommandLineParser &p) {
        addProjectOption(p);
        p.addOption(QCommandLineOption(QStringLiteral("approve"), QStringLiteral("Sign off: approve the release.")));
        p.addOption(QCommandLineOption(QStringLiteral("reject"), QStringLiteral("Sign off: reject the release.")));
        p.addOption(QCommandLineOption(QStringLiteral("comment"), QStringLiteral("A comment with the sign-off."),
                                       QStringLiteral("TEXT")));
        p.addOption(QCommandLineOption(QStringLiteral("reviewer"),
                                       QStringLiteral("Who signs (default: $USER, else the account name)."),
                                       QStringLiteral("NAME")));
        p.addOption(QCommandLineOption(
            QStringLiteral("export"),
            QStringLiteral("Write the report: FILE.md, FILE.html, or FILE.json (in-toto Statement with SLSA "
                           "provenance v1)."),
            QStringLiteral("FILE")));
        p.addOption(QCommandLineOption(QStringLiteral("run"),
                                       QStringLiteral("The artifact as this run produced it (default: the newest)."),
                                       QStringLiteral("RUN_ID")));
        p.addOption(
            QCommandLineOption(QStringLiteral("json"), QStringLiteral("Print the checklist and sign-offs as JSON.")));
        p.addPositionalArgument(QStringLiteral("ARTIFACT"),
                                QStringLiteral("An artifact path, its sha256, or a file holding it."));
    };
    c.run = [](const QCommandLineParser &p, QTextStream &out, QTextStream &err) {
        if (p.positionalArguments().size() != 1) {
            err << "trainyard review: give one ARTIFACT\nTry 'trainyard review --help'.\n";
            return int(ExitUsage);
        }
        const bool approve = p.isSet(QStringLiteral("approve"));
        const bool reject = p.isSet(QStringLiteral("reject"));
        if (approve && reject) {
            err << "trainyard review: --approve or --reject, not both\n";
            return int(ExitUsage);
        }
        if (!approve && !reject && (p.isSet(QStringLiteral("comment")) || p.isSet(QStringLiteral("reviewer")))) {
            err << "trainyard review: --comment and --reviewer go with --approve or --reject\n";
            return int(ExitUsage);
        }
        const QString reviewer =
            p.isSet(QStringLiteral("reviewer")) ? p.value(QStringLiteral("reviewer")) : currentUserName();
        if ((approve || reject) && reviewer.trimmed().isEmpty()) {
            err << "trainyard review: who signs? Give --reviewer NAME\n";
            return int(ExitUsage);
        }
        const auto store = openLineage(p, err, QStringLiteral("review"));
        if (!store)
            return int(ExitFailed);
        const Provenance provenance(*store);
        const auto artifact =
            provenance.resolveArtifact(p.positionalArguments().first(), p.value(QStringLiteral("run")));
        if (!artifact) {
            err << "trainyard review: " << artifact.error().message << "\n";
            return int(ExitFailed);
        }
        const auto lineage = provenance.ofArtifact(*artifact);
        if (!lineage) {
            err << "trainyard review: " << lineage.error().toString() << "\n";
            return int(ExitFailed);
        }
        const ReleaseChecklist checklist = ReleaseReview::checklist(*lineage);
        ReleaseReview review(*store);

        if (approve || reject) {
            if (approve && !checklist.passed())
                err << "warning: approving although some checks failed\n";
            const auto signed_ =
                review.signOff(*lineage, reviewer, approve ? QStringLiteral("approve") : QStringLiteral("reject"),
                               p.value(QStringLiteral("comment")));
            if (!signed_) {
                err << "trainyard review: " << signed_.error().toString() << "\n";
                return int(ExitFailed);
            }
        }
        const auto signOffs = review.signOffs(*lineage);
        if (!signOffs) {
            err << "trainyard review: " << signOffs.error().toString() << "\n";
            return int(ExitFailed);
        }

        if (p.isSet(QStringLiteral("export"))) {
            const QString file = p.value(QStringLiteral("export"));
            const auto bytes = ProvenanceExport::render(file, *lineage, checklist, *signOffs);
            if (!bytes) {
                err << "trainyard review: " << bytes.error().message << "\n";
                return int(ExitUsage);
            }
            QSaveFile f(file);
            if (!f.open(QIODevice::WriteOnly) || f.write(*bytes) != bytes->size() || !f.commit()) {
                err << "trainyard review: cannot write " << file << ": " << f.errorString() << "\n";
                return int(ExitFailed);
            }
        }

        if (p.isSet(QStringLiteral("json"))) {
            QJsonArray signs;
            for (const SignOffStatus &s : *signOffs) {
                QJsonObject o = toJson(s.signOff);
                o.insert(QStringLiteral("stale"), s.stale);
                o.insert(QStringLiteral("other_run"), s.otherRun);
                signs.append(o);
            }
            out << QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("artifact"), toJson(lineage->artifact)},
                                                               {QStringLiteral("fingerprint"), lineage->fingerprint()},
                                                               {QStringLiteral("passed"), checklist.passed()},
                                                               {QStringLiteral("checklist"), checklist.toJson()},
                                                               {QStringLiteral("signoffs"), signs}})
                                         .toJson(QJsonDocument::Indented));
        } else {
            out << "Release review of " << artifact->path << " (sha256:" << artifact->sha256 << ")\n"
                << "produced by job " << artifact->job << " in run " << artifact->runId << "\n\n";
            for (const ChecklistItem &i : checklist.items) {
                out << QStringLiteral("[%1] ").arg(ChecklistItem::stateName(i.state).toUpper(), -7) << i.title << "\n";
                for (const QString &d : i.details)
                    out << "          " << d << "\n";
            }
            out << "\nSign-offs:" << (signOffs->empty() ? " none yet\n" : "\n");
            for (const SignOffStatus &s : *signOffs) {
                out << "  " << localTime(s.signOff.signedAt) << "  " << s.signOff.decision << " by "
                    << s.signOff.reviewer
                    << (s.signOff.comment.isEmpty() ? QString() : QStringLiteral(": ") + s.signOff.comment)
                    << (s.otherRun
                            ? QStringLiteral("  (given for run %1, which made the same bytes)").arg(s.signOff.runId)
                            : QString())
                    << (s.stale ? QStringLiteral("  (stale: the lineage changed since)") : QString()) << "\n";
            }
            if (p.isSet(QStringLiteral("export")))
                out << "\nWrote " << p.value(QStringLiteral("export")) << "\n";
        }
        return checklist.passed() ? int(ExitOk) : ExitChecksFailed;
    };
    return c;
}

} // namespace trainyard::app
