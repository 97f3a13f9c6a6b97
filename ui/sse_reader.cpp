#include "sse_reader.h"

namespace {

QByteArray data_of(const QByteArray& event) {
  QByteArray data;
  for (const QByteArray& line : event.split('\n')) {
    if (!line.startsWith("data:")) continue;
    QByteArray value = line.mid(5);
    if (value.startsWith(' ')) value.remove(0, 1);
    if (!data.isEmpty()) data += '\n';
    data += value;
  }
  return data;
}

}  // namespace

QList<QByteArray> SseReader::feed(const QByteArray& bytes) {
  buffer_ += bytes;
  buffer_.replace("\r\n", "\n");  // a CR cut from its LF waits in the buffer until the LF comes
  QList<QByteArray> events;
  for (qsizetype end; (end = buffer_.indexOf("\n\n")) >= 0;) {
    const QByteArray data = data_of(buffer_.left(end));
    buffer_.remove(0, end + 2);
    if (!data.isEmpty()) events << data;
  }
  return events;
}
