#pragma once
// Splits a text/event-stream into its events as bytes arrive from the network,
// however the bytes are cut: each event is its data lines joined by newlines.
// Comments, ids and event names are not used by csm-serve's clients.
#include <QByteArray>
#include <QList>

class SseReader {
 public:
  QList<QByteArray> feed(const QByteArray& bytes);
  bool pending() const { return !buffer_.trimmed().isEmpty(); }  // an event cut short

 private:
  QByteArray buffer_;
};
