#pragma once
// One line that says which research knobs a run used (codebooks, sampling for codebook 0
// and the depth decoder, the length guard), from the settings a history record keeps:
// the history's tool tip and compare-two show it, so two runs' knobs can be told apart.
#include <QJsonObject>
#include <QString>

QString knobsSummary(const QJsonObject& settings);
