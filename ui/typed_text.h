#pragma once
// "Type to speak": what the user types, on its way to the one streamed text of a run.
// The window writes; the run that speaks it attaches a sink and gets what was typed
// before it started, then each piece as it is typed. The sink is called from the
// window's thread under this object's lock, so a run that detaches (in its destructor)
// is never called after it is gone; the sink must only hand the text on, never block.
#include <QMutex>
#include <QString>
#include <QVector>
#include <functional>

class TypedText {
 public:
  enum class Op { Append, Flush, End };
  using Sink = std::function<void(Op op, const QString& text)>;

  void append(const QString& text);
  void flush();
  void end();
  // What came before, then everything later, goes to `sink`.
  void attach(Sink sink);
  void detach();
  QString sent() const;  // all text appended so far

 private:
  void send(Op op, const QString& text);
  mutable QMutex mutex_;
  Sink sink_;
  QVector<std::pair<Op, QString>> backlog_;  // before a run attached
  QString sent_;
};
