#pragma once
// Where typed text has a finished sentence: the studio's "type to speak" sends text
// only up to there, so a half-typed word is never spoken.
#include <QString>

// The position just past the last sentence end in `text` at or after `from`: a '.',
// '!' or '?' followed by white space (the space is included), or a line break.
// `from` when there is none.
qsizetype lastSentenceEnd(const QString& text, qsizetype from);
