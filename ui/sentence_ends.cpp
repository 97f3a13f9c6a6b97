#include "sentence_ends.h"

qsizetype lastSentenceEnd(const QString& text, qsizetype from) {
  for (qsizetype i = text.size() - 1; i >= from; --i) {
    const QChar c = text[i];
    if (c == '\n') return i + 1;
    // A mark alone is not an end yet: "3." may become "3.5", "e.g" a word; the space decides.
    if (c.isSpace() && i > 0 && (text[i - 1] == '.' || text[i - 1] == '!' || text[i - 1] == '?')) return i + 1;
  }
  return from;
}
