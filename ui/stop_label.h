#pragma once
// The studio's one stop vocabulary: core's labels ("end_of_speech", "max_length",
// "length_guard", "cancelled", "failed", "running"), which csm-serve sends too, so a run's
// history reads the same whichever engine made it.
#include <QString>
#include <QStringList>

// The label to store for any label a run or a history record carries: records of
// older studios say "end of speech" and "max length". Unknown labels pass unchanged.
QString stopLabel(const QString& label);
QStringList stopLabels(const QStringList& labels);

// What a user reads for a label, in their language.
QString readableStop(const QString& label);
// How a run's streams ended, for a status line or tooltip: "max length, stopped".
QString readableStops(const QStringList& labels);
