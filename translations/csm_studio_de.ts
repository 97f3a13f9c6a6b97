<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>AudioOutput</name>
    <message>
        <location filename="../ui/audio_output.cpp" line="46"/>
        <source>No audio output device is available; audio is still generated and can be exported.</source>
        <translation>Es ist kein Audioausgabegerät verfügbar; der Ton wird trotzdem erzeugt und kann exportiert werden.</translation>
    </message>
    <message>
        <location filename="../ui/audio_output.cpp" line="58"/>
        <source>The audio output could not be started.</source>
        <translation>Die Audioausgabe konnte nicht gestartet werden.</translation>
    </message>
</context>
<context>
    <name>BenchmarkCompareDialog</name>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="72"/>
        <source>Compare benchmark reports</source>
        <translation>Benchmark-Berichte vergleichen</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="78"/>
        <source>Add reports…</source>
        <translation>Berichte hinzufügen…</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="79"/>
        <source>Fetch from server…</source>
        <translation>Vom Server holen…</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="80"/>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="81"/>
        <source>Export…</source>
        <translation>Exportieren…</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="82"/>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="91"/>
        <source>Add csm-bench --benchmark JSON reports, or fetch one from a csm-serve server.</source>
        <translation>Fügen Sie JSON-Berichte von csm-bench --benchmark hinzu oder holen Sie einen von einem csm-serve-Server.</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="112"/>
        <source>each point: the run with the lowest RTF at that x</source>
        <translation>jeder Punkt: der Lauf mit dem niedrigsten RTF bei diesem x</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="114"/>
        <source>RTF by chunk size (one stream; best run per size)</source>
        <translation>RTF nach Chunk-Größe (ein Stream; bester Lauf je Größe)</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="114"/>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="117"/>
        <source>chunk size (ms)</source>
        <translation>Chunk-Größe (ms)</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="114"/>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="119"/>
        <source>RTF</source>
        <translation>RTF</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="116"/>
        <source>Time to first audio by chunk size (one stream; run with the best RTF per size)</source>
        <translation>Zeit bis zum ersten Audio nach Chunk-Größe (ein Stream; Lauf mit dem besten RTF je Größe)</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="117"/>
        <source>first audio (ms)</source>
        <translation>erstes Audio (ms)</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="119"/>
        <source>RTF by streams at once (best run per batch)</source>
        <translation>RTF nach gleichzeitigen Streams (bester Lauf je Batch)</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="119"/>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="121"/>
        <source>streams at once</source>
        <translation>gleichzeitige Streams</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="121"/>
        <source>Real-time streams by streams at once (run with the best RTF per batch)</source>
        <translation>Echtzeit-Streams nach gleichzeitigen Streams (Lauf mit dem besten RTF je Batch)</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="122"/>
        <source>real-time streams</source>
        <translation>Echtzeit-Streams</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="168"/>
        <source>Added %1</source>
        <translation>%1 hinzugefügt</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="190"/>
        <source>%1: another fetch is still running; try again when it ends</source>
        <translation>%1: ein anderer Abruf läuft noch; versuchen Sie es danach erneut</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="197"/>
        <source>%1: not a server address (expected e.g. http://gpu-box:8000)</source>
        <translation>%1: keine Serveradresse (erwartet z. B. http://gpu-box:8000)</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="206"/>
        <source>Fetching %1 …</source>
        <translation>Hole %1 …</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="228"/>
        <source>Fetched the benchmark report of %1</source>
        <translation>Benchmark-Bericht von %1 geholt</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="235"/>
        <source>%1: no answer within %2 s</source>
        <translation>%1: keine Antwort innerhalb von %2 s</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="238"/>
        <source>%1: the server refused the API key (HTTP 401)</source>
        <translation>%1: der Server hat den API-Schlüssel abgelehnt (HTTP 401)</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="239"/>
        <source>%1: the server wants an API key (HTTP 401)</source>
        <translation>%1: der Server verlangt einen API-Schlüssel (HTTP 401)</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="240"/>
        <source>%1: the API key may not read the benchmark report (HTTP 403)</source>
        <translation>%1: der API-Schlüssel darf den Benchmark-Bericht nicht lesen (HTTP 403)</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="242"/>
        <source>%1: the server has no benchmark report (start csm-serve with --benchmark-report FILE)</source>
        <translation>%1: der Server hat keinen Benchmark-Bericht (starten Sie csm-serve mit --benchmark-report DATEI)</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="244"/>
        <source>%1: HTTP %2 %3</source>
        <translation>%1: HTTP %2 %3</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="251"/>
        <source>%1: connection refused (is csm-serve running there, on that port?)</source>
        <translation>%1: Verbindung abgelehnt (läuft csm-serve dort, auf diesem Port?)</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="252"/>
        <source>%1: host not found</source>
        <translation>%1: Host nicht gefunden</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="253"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="300"/>
        <source>%1
chunk %2 ms, frame batch %3, CUDA graphs %4, %5 stream(s)
RTF %6, first audio %7 ms, real-time streams %8
best RTF of %9 run(s) at this x</source>
        <translation>%1
Chunk %2 ms, Frame-Batch %3, CUDA-Graphen %4, %5 Stream(s)
RTF %6, erstes Audio %7 ms, Echtzeit-Streams %8
bester RTF von %9 Lauf/Läufen bei diesem x</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="305"/>
        <source>on</source>
        <translation>an</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="305"/>
        <source>off</source>
        <translation>aus</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="324"/>
        <source>%1 — %2, %3, %4 runs</source>
        <translation>%1 — %2, %3, %4 Läufe</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="340"/>
        <source>%1.%2: plots export as .png or .pdf</source>
        <translation>%1.%2: Diagramme werden als .png oder .pdf exportiert</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="351"/>
        <source>%1: could not write the plot</source>
        <translation>%1: das Diagramm konnte nicht geschrieben werden</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="357"/>
        <source>Exported %1 plots to %2-*.%3</source>
        <translation>%1 Diagramme nach %2-*.%3 exportiert</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="362"/>
        <source>Add benchmark reports</source>
        <translation>Benchmark-Berichte hinzufügen</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="363"/>
        <source>csm-bench reports (*.json);;All files (*)</source>
        <translation>csm-bench-Berichte (*.json);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="375"/>
        <source>Fetch a benchmark report</source>
        <translation>Einen Benchmark-Bericht holen</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="380"/>
        <source>optional</source>
        <translation>optional</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="385"/>
        <source>Server URL:</source>
        <translation>Server-URL:</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="386"/>
        <source>API key:</source>
        <translation>API-Schlüssel:</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="393"/>
        <source>Export plots</source>
        <translation>Diagramme exportieren</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_compare_dialog.cpp" line="393"/>
        <source>PNG (*.png);;PDF (*.pdf)</source>
        <translation>PNG (*.png);;PDF (*.pdf)</translation>
    </message>
</context>
<context>
    <name>BenchmarkReport</name>
    <message>
        <location filename="../ui/benchmark_report.cpp" line="21"/>
        <source>%1: not a csm-bench --benchmark report (the JSON is not an object)</source>
        <translation>%1: kein Bericht von csm-bench --benchmark (das JSON ist kein Objekt)</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_report.cpp" line="24"/>
        <source>%1: not a csm-bench --benchmark report (no &apos;runs&apos; array; make one with csm-bench --benchmark --json-out FILE)</source>
        <translation>%1: kein Bericht von csm-bench --benchmark (kein Array &apos;runs&apos;; erstellen Sie einen mit csm-bench --benchmark --json-out DATEI)</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_report.cpp" line="28"/>
        <source>%1: the report has no runs</source>
        <translation>%1: der Bericht enthält keine Läufe</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_report.cpp" line="30"/>
        <source>%1: run %2 is not a JSON object</source>
        <translation>%1: Lauf %2 ist kein JSON-Objekt</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_report.cpp" line="33"/>
        <source>%1: run %2 has no number &apos;%3&apos;</source>
        <translation>%1: Lauf %2 hat keine Zahl &apos;%3&apos;</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_report.cpp" line="36"/>
        <source>%1: run %2: &apos;%3&apos; must be a positive whole number</source>
        <translation>%1: Lauf %2: &apos;%3&apos; muss eine positive ganze Zahl sein</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_report.cpp" line="39"/>
        <source>%1: not JSON (%2 at byte %3)</source>
        <translation>%1: kein JSON (%2 bei Byte %3)</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_report.cpp" line="42"/>
        <source>%1: cannot open (%2)</source>
        <translation>%1: kann nicht geöffnet werden (%2)</translation>
    </message>
    <message>
        <location filename="../ui/benchmark_report.cpp" line="44"/>
        <source>unknown machine</source>
        <translation>unbekannte Maschine</translation>
    </message>
</context>
<context>
    <name>CodesView</name>
    <message>
        <location filename="../widgets/codes_view.cpp" line="49"/>
        <source>Point at the grid: the frame, codebook and code under the cursor show here.</source>
        <translation>Auf das Raster zeigen: Frame, Codebook und Code unter dem Mauszeiger erscheinen hier.</translation>
    </message>
    <message>
        <location filename="../widgets/codes_view.cpp" line="58"/>
        <source>codebook-0 entropy</source>
        <translation>Entropie von Codebook 0</translation>
    </message>
    <message>
        <location filename="../widgets/codes_view.cpp" line="60"/>
        <source>chunk starts</source>
        <translation>Blockanfänge</translation>
    </message>
    <message>
        <location filename="../widgets/codes_view.cpp" line="61"/>
        <source>text starts</source>
        <translation>Textanfänge</translation>
    </message>
    <message>
        <location filename="../widgets/codes_view.cpp" line="65"/>
        <source>nats</source>
        <translation>nats</translation>
    </message>
    <message>
        <location filename="../widgets/codes_view.cpp" line="77"/>
        <source>time (s)</source>
        <translation>Zeit (s)</translation>
    </message>
    <message>
        <location filename="../widgets/codes_view.cpp" line="78"/>
        <source>codebook</source>
        <translation>Codebook</translation>
    </message>
    <message>
        <location filename="../widgets/codes_view.cpp" line="90"/>
        <source>code</source>
        <translation>Code</translation>
    </message>
    <message>
        <location filename="../widgets/codes_view.cpp" line="222"/>
        <source>frame %1 (%2 s)</source>
        <translation>Frame %1 (%2 s)</translation>
    </message>
    <message>
        <location filename="../widgets/codes_view.cpp" line="225"/>
        <source> · codebook %1: code %2</source>
        <translation> · Codebook %1: Code %2</translation>
    </message>
    <message>
        <location filename="../widgets/codes_view.cpp" line="227"/>
        <source> · codebook-0 entropy %1 nats</source>
        <translation> · Entropie von Codebook 0: %1 nats</translation>
    </message>
</context>
<context>
    <name>CompareDialog</name>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="53"/>
        <source>Compare runs</source>
        <translation>Läufe vergleichen</translation>
    </message>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="54"/>
        <source>Cumulative RTF</source>
        <translation>Kumulativer RTF</translation>
    </message>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="54"/>
        <location filename="../ui/compare_dialog.cpp" line="55"/>
        <source>audio (s)</source>
        <translation>Audio (s)</translation>
    </message>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="54"/>
        <source>RTF</source>
        <translation>RTF</translation>
    </message>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="55"/>
        <source>Chunk latency</source>
        <translation>Latenz je Block</translation>
    </message>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="55"/>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="65"/>
        <location filename="../ui/compare_dialog.cpp" line="90"/>
        <source>run %1</source>
        <translation>Lauf %1</translation>
    </message>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="77"/>
        <source>Export plots…</source>
        <translation>Diagramme exportieren …</translation>
    </message>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="91"/>
        <source>Codes of %1</source>
        <translation>Codes von %1</translation>
    </message>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="92"/>
        <source>Spectrogram of %1</source>
        <translation>Spektrogramm von %1</translation>
    </message>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="95"/>
        <source>This run was recorded without its codes.</source>
        <translation>Dieser Lauf wurde ohne seine Codes aufgezeichnet.</translation>
    </message>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="101"/>
        <source>Play run %1 (RTF %2)</source>
        <translation>Lauf %1 abspielen (RTF %2)</translation>
    </message>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="136"/>
        <source>Export plots</source>
        <translation>Diagramme exportieren</translation>
    </message>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="136"/>
        <source>PNG (*.png);;PDF (*.pdf)</source>
        <translation>PNG (*.png);;PDF (*.pdf)</translation>
    </message>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="140"/>
        <source>Export</source>
        <translation>Export</translation>
    </message>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="140"/>
        <source>Could not write the plots</source>
        <translation>Die Diagramme konnten nicht geschrieben werden</translation>
    </message>
</context>
<context>
    <name>GenerationWorker</name>
    <message>
        <location filename="../ui/generation_worker.cpp" line="75"/>
        <source>No model is loaded.</source>
        <translation>Es ist kein Modell geladen.</translation>
    </message>
    <message>
        <location filename="../ui/generation_worker.cpp" line="75"/>
        <source>Pick a model (the demo model needs no download).</source>
        <translation>Wählen Sie ein Modell (das Demo-Modell braucht keinen Download).</translation>
    </message>
</context>
<context>
    <name>KnobsSummary</name>
    <message>
        <location filename="../ui/knobs_summary.cpp" line="14"/>
        <source>= cb 0</source>
        <translation>= CB 0</translation>
    </message>
    <message>
        <location filename="../ui/knobs_summary.cpp" line="23"/>
        <source>codebooks %1 (%2)</source>
        <translation>Codebooks %1 (%2)</translation>
    </message>
    <message>
        <location filename="../ui/knobs_summary.cpp" line="24"/>
        <source>codebooks all</source>
        <translation>Codebooks: alle</translation>
    </message>
    <message>
        <location filename="../ui/knobs_summary.cpp" line="25"/>
        <source>temperature %1, top-k %2, top-p %3</source>
        <translation>Temperatur %1, Top-k %2, Top-p %3</translation>
    </message>
    <message>
        <location filename="../ui/knobs_summary.cpp" line="29"/>
        <source>depth: temperature %1, top-k %2, top-p %3</source>
        <translation>Tiefe: Temperatur %1, Top-k %2, Top-p %3</translation>
    </message>
    <message>
        <location filename="../ui/knobs_summary.cpp" line="31"/>
        <source>length guard %1×</source>
        <translation>Längenschutz %1×</translation>
    </message>
    <message>
        <location filename="../ui/knobs_summary.cpp" line="32"/>
        <source>length guard off</source>
        <translation>Längenschutz aus</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../ui/main_window.cpp" line="80"/>
        <source>csm-studio</source>
        <translation>csm-studio</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="110"/>
        <source>no model</source>
        <translation>kein Modell</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="126"/>
        <source>Hello! This is CSM speaking while it generates.</source>
        <translation>Hallo! Hier spricht CSM, während es erzeugt.</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="141"/>
        <source>Text to speak. Each line is a text of its own; several lines run as a batch.</source>
        <translation>Zu sprechender Text. Jede Zeile ist ein eigener Text; mehrere Zeilen laufen als Stapel.</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="147"/>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="148"/>
        <source>Speaker</source>
        <translation>Sprecher</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="149"/>
        <source>Generate</source>
        <translation>Erzeugen</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="150"/>
        <source>Stop</source>
        <translation>Anhalten</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="151"/>
        <source>Generate (Ctrl+Return)</source>
        <translation>Erzeugen (Strg+Eingabe)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="152"/>
        <source>Stop within one frame (Esc)</source>
        <translation>Innerhalb eines Frames anhalten (Esc)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="183"/>
        <source>Real-time factor</source>
        <translation>Echtzeitfaktor</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="183"/>
        <source>audio (s)</source>
        <translation>Audio (s)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="183"/>
        <source>RTF</source>
        <translation>RTF</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="184"/>
        <source>per chunk</source>
        <translation>je Block</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="185"/>
        <source>cumulative</source>
        <translation>kumulativ</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="186"/>
        <source>Latency</source>
        <translation>Latenz</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="186"/>
        <source>chunk</source>
        <translation>Block</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="186"/>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="187"/>
        <source>chunk latency</source>
        <translation>Blocklatenz</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="188"/>
        <source>time to first audio</source>
        <translation>Zeit bis zum ersten Ton</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="189"/>
        <source>Memory</source>
        <translation>Speicher</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="189"/>
        <source>time (s)</source>
        <translation>Zeit (s)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="189"/>
        <source>MiB</source>
        <translation>MiB</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="190"/>
        <source>RSS / VRAM</source>
        <translation>RSS / VRAM</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="200"/>
        <source>Replay</source>
        <translation>Wiedergeben</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="201"/>
        <source>Compare two</source>
        <translation>Zwei vergleichen</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="205"/>
        <source>Run history</source>
        <translation>Verlauf der Läufe</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="280"/>
        <source>Audio so far</source>
        <translation>Bisheriger Ton</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="260"/>
        <source>Choose a CSM model folder</source>
        <translation>CSM-Modellordner wählen</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="154"/>
        <location filename="../ui/main_window.cpp" line="539"/>
        <source>Type to speak</source>
        <translation>Sprechen beim Tippen</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="156"/>
        <source>Speak what you type, sentence by sentence, while you type it; click again (Done) when you are finished</source>
        <translation>Spricht, was Sie tippen, Satz für Satz, noch während Sie tippen; klicken Sie erneut (Fertig), wenn Sie fertig sind</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="276"/>
        <source>Codes</source>
        <translation>Codes</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="277"/>
        <source>Spectrogram</source>
        <translation>Spektrogramm</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="292"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="293"/>
        <source>Export &amp;audio…</source>
        <translation>&amp;Audio exportieren…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="294"/>
        <source>Export audio</source>
        <translation>Audio exportieren</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="294"/>
        <source>WAV (*.wav)</source>
        <translation>WAV (*.wav)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="295"/>
        <location filename="../ui/main_window.cpp" line="300"/>
        <location filename="../ui/main_window.cpp" line="308"/>
        <source>Export</source>
        <translation>Export</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="295"/>
        <location filename="../ui/main_window.cpp" line="300"/>
        <source>Could not write %1</source>
        <translation>%1 konnte nicht geschrieben werden</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="297"/>
        <source>Export &amp;metrics…</source>
        <translation>&amp;Messwerte exportieren…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="299"/>
        <source>Export metrics</source>
        <translation>Messwerte exportieren</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="299"/>
        <source>CSV (*.csv);;JSON (*.json)</source>
        <translation>CSV (*.csv);;JSON (*.json)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="302"/>
        <source>Export &amp;plots…</source>
        <translation>&amp;Diagramme exportieren…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="304"/>
        <source>Export plots</source>
        <translation>Diagramme exportieren</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="304"/>
        <source>PNG (*.png);;PDF (*.pdf)</source>
        <translation>PNG (*.png);;PDF (*.pdf)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="308"/>
        <source>Could not write the plots</source>
        <translation>Die Diagramme konnten nicht geschrieben werden</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="311"/>
        <source>&amp;Save preset…</source>
        <translation>Voreinstellung &amp;speichern…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="312"/>
        <source>Save preset</source>
        <translation>Voreinstellung speichern</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="312"/>
        <location filename="../ui/main_window.cpp" line="317"/>
        <source>Preset (*.json)</source>
        <translation>Voreinstellung (*.json)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="314"/>
        <location filename="../ui/main_window.cpp" line="319"/>
        <source>Preset</source>
        <translation>Voreinstellung</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="316"/>
        <source>&amp;Load preset…</source>
        <translation>Voreinstellung &amp;laden…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="317"/>
        <source>Load preset</source>
        <translation>Voreinstellung laden</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="321"/>
        <source>&amp;Import history…</source>
        <translation>Verlauf &amp;importieren…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="322"/>
        <source>Import run history</source>
        <translation>Verlauf der Läufe importieren</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="322"/>
        <source>History (*.sqlite)</source>
        <translation>Verlauf (*.sqlite)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="326"/>
        <source>Import</source>
        <translation>Import</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/main_window.cpp" line="327"/>
        <source>Imported %n run(s)</source>
        <translation>
            <numerusform>%n Lauf importiert</numerusform>
            <numerusform>%n Läufe importiert</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="331"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="332"/>
        <source>&amp;Tools</source>
        <translation>&amp;Werkzeuge</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="333"/>
        <source>&amp;Compare benchmark reports…</source>
        <translation>Benchmark-Berichte &amp;vergleichen…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="339"/>
        <source>&amp;Remote csm-serve…</source>
        <translation>Entfernter &amp;csm-serve…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="340"/>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="341"/>
        <source>&amp;About</source>
        <translation>&amp;Über</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="342"/>
        <source>About csm-studio</source>
        <translation>Über csm-studio</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="343"/>
        <source>csm-studio: streaming CSM-1B text to speech, with live plots and knobs.</source>
        <translation>csm-studio: CSM-1B-Sprachsynthese im Datenstrom, mit Live-Diagrammen und -Reglern.</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="349"/>
        <source>Demo model (random weights: noise, not speech)</source>
        <translation>Demo-Modell (Zufallsgewichte: Rauschen, keine Sprache)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="351"/>
        <source>sesame/csm-1b (Hugging Face cache)</source>
        <translation>sesame/csm-1b (Hugging-Face-Cache)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="352"/>
        <source>sesame/csm-1b (download from the hub; needs HF_TOKEN)</source>
        <translation>sesame/csm-1b (vom Hub herunterladen; braucht HF_TOKEN)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="358"/>
        <source>Remote csm-serve at %1</source>
        <translation>Entfernter csm-serve unter %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="361"/>
        <source>Browse for a model folder…</source>
        <translation>Modellordner suchen…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="362"/>
        <source>Remote csm-serve…</source>
        <translation>Entfernter csm-serve…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="392"/>
        <source>Stop the run first, then switch engines.</source>
        <translation>Beenden Sie zuerst den Lauf, dann wechseln Sie die Engine.</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="408"/>
        <source>loading model</source>
        <translation>Modell wird geladen</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="408"/>
        <source>ready</source>
        <translation>bereit</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="408"/>
        <source>generating</source>
        <translation>erzeugt</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="409"/>
        <source>stopping</source>
        <translation>hält an</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="409"/>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="448"/>
        <source>Type something to say first.</source>
        <translation>Geben Sie zuerst einen Text ein.</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="433"/>
        <source>Give every voice clip its transcript.</source>
        <translation>Geben Sie zu jedem Stimmclip seine Abschrift an.</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="464"/>
        <source>target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="504"/>
        <source>Done</source>
        <translation>Fertig</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="506"/>
        <source>Type to speak: each sentence is spoken when it ends (. ! or ? and a space, or Enter). Click Done when you are finished.</source>
        <translation>Sprechen beim Tippen: Jeder Satz wird gesprochen, sobald er endet (. ! oder ? und ein Leerzeichen, oder Eingabe). Klicken Sie auf Fertig, wenn Sie fertig sind.</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="581"/>
        <source>No codes came with this run: the server does not send them (a csm-serve without include_codes). The spectrogram and the waveform still show its audio.</source>
        <translation>Mit diesem Lauf kamen keine Codes: Der Server sendet sie nicht (ein csm-serve ohne include_codes). Spektrogramm und Wellenform zeigen sein Audio trotzdem.</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="595"/>
        <source>First audio: %1 ms</source>
        <translation>Erster Ton: %1 ms</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="596"/>
        <source>RTF: %1</source>
        <translation>RTF: %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="601"/>
        <source>Underruns: %1 (continuity %2%)</source>
        <translation>Unterläufe: %1 (Kontinuität %2 %)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="602"/>
        <source> · server streams %1/%2</source>
        <translation> · Server-Streams %1/%2</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="634"/>
        <source>History not saved: %1</source>
        <translation>Verlauf nicht gespeichert: %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="656"/>
        <source>last run failed</source>
        <translation>letzter Lauf fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="660"/>
        <source>Generation failed</source>
        <translation>Erzeugung fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="668"/>
        <source>Ended: %1</source>
        <translation>Beendet: %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="680"/>
        <source>%1 — %2 (failed, %3 s kept)</source>
        <translation>%1 — %2 (fehlgeschlagen, %3 s behalten)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="681"/>
        <source>%1 — %2 (RTF %3)</source>
        <translation>%1 — %2 (RTF %3)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="697"/>
        <source>This run was recorded without its codes.</source>
        <translation>Dieser Lauf wurde ohne seine Codes aufgezeichnet.</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="720"/>
        <source>Select exactly two runs to compare.</source>
        <translation>Wählen Sie genau zwei Läufe zum Vergleich.</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <location filename="../ui/run_history.cpp" line="71"/>
        <source>Cannot open the run history %1: %2</source>
        <translation>Der Verlauf %1 kann nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <location filename="../ui/run_history.cpp" line="78"/>
        <source>%1 is not a usable run history: %2</source>
        <translation>%1 ist kein nutzbarer Verlauf: %2</translation>
    </message>
</context>
<context>
    <name>RemoteServerDialog</name>
    <message>
        <location filename="../ui/remote_server_dialog.cpp" line="12"/>
        <source>Remote csm-serve</source>
        <translation>Entfernter csm-serve</translation>
    </message>
    <message>
        <location filename="../ui/remote_server_dialog.cpp" line="16"/>
        <source>none</source>
        <translation>keiner</translation>
    </message>
    <message>
        <location filename="../ui/remote_server_dialog.cpp" line="17"/>
        <source>Run the engine on a GPU box (scripts/setup-gpu-box.sh --serve prints the key), then on this machine: &lt;code&gt;ssh -N -L 8000:localhost:8000 user@gpu-box&lt;/code&gt;</source>
        <translation>Starten Sie die Engine auf einem GPU-Rechner (scripts/setup-gpu-box.sh --serve zeigt den Schlüssel an), dann auf diesem Rechner: &lt;code&gt;ssh -N -L 8000:localhost:8000 user@gpu-box&lt;/code&gt;</translation>
    </message>
    <message>
        <location filename="../ui/remote_server_dialog.cpp" line="23"/>
        <source>Server URL</source>
        <translation>Server-URL</translation>
    </message>
    <message>
        <location filename="../ui/remote_server_dialog.cpp" line="24"/>
        <source>API key</source>
        <translation>API-Schlüssel</translation>
    </message>
    <message>
        <location filename="../ui/remote_server_dialog.cpp" line="26"/>
        <source>Connect</source>
        <translation>Verbinden</translation>
    </message>
</context>
<context>
    <name>RunSettingsPanel</name>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="51"/>
        <source>Chunk size</source>
        <translation>Blockgröße</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="52"/>
        <location filename="../ui/run_settings_panel.cpp" line="54"/>
        <source> ms</source>
        <translation> ms</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="53"/>
        <source>First chunk</source>
        <translation>Erster Block</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="55"/>
        <source>Frames per decode</source>
        <translation>Frames je Dekodierung</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="56"/>
        <source>Streams at once</source>
        <translation>Gleichzeitige Ströme</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="77"/>
        <source>Temperature</source>
        <translation>Temperatur</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="78"/>
        <source>Top-k</source>
        <translation>Top-k</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="57"/>
        <source>Max length</source>
        <translation>Höchstlänge</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="31"/>
        <source>Settings (the sampling knobs also reach a running stream)</source>
        <translation>Einstellungen (die Sampling-Regler wirken auch auf einen laufenden Stream)</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="34"/>
        <source>Run</source>
        <translation>Lauf</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="35"/>
        <source>Sampling</source>
        <translation>Sampling</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="36"/>
        <location filename="../ui/run_settings_panel.cpp" line="93"/>
        <source>Codebooks</source>
        <translation>Codebooks</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="58"/>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="59"/>
        <source>Length guard</source>
        <translation>Längenschutz</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="60"/>
        <source> ×</source>
        <translation> ×</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="61"/>
        <source>RTF target</source>
        <translation>RTF-Ziel</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="67"/>
        <source>Seed</source>
        <translation>Startwert</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="68"/>
        <source>Frames Mimi decodes per call</source>
        <translation>Frames, die Mimi je Aufruf dekodiert</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="69"/>
        <source>Lines of text generated together; the others join as one ends (a remote csm-serve has its own --max-streams)</source>
        <translation>Gemeinsam erzeugte Textzeilen; die übrigen kommen hinzu, sobald eine endet (ein entfernter csm-serve hat sein eigenes --max-streams)</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="70"/>
        <source>A piece of text may run this many times the length it should take (at least 2 s), then it is cut (&quot;length guard&quot;: speech that never ends) and the next piece goes on. 0 = off</source>
        <translation>Ein Textstück darf so viel mal länger laufen, als es dauern sollte (mindestens 2 s), dann wird es abgeschnitten („Längenschutz“: gegen Sprache, die nie endet), und das nächste Stück folgt. 0 = aus</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="79"/>
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="80"/>
        <source>same as codebook 0</source>
        <translation>wie Codebook 0</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="81"/>
        <source>Depth temperature</source>
        <translation>Tiefen-Temperatur</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="82"/>
        <source>Depth top-k</source>
        <translation>Tiefen-Top-k</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="83"/>
        <source>Depth top-p</source>
        <translation>Tiefen-Top-p</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="84"/>
        <source>Codebook 0 (the backbone&apos;s head). 0 = greedy</source>
        <translation>Codebook 0 (der Kopf des Backbones). 0 = gierig (immer das Wahrscheinlichste)</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="85"/>
        <source>0 = no cut-off</source>
        <translation>0 = keine Begrenzung</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="86"/>
        <source>Nucleus: keep the fewest best codes whose probability reaches top-p, after top-k. 1 = off</source>
        <translation>Nucleus: nach Top-k die wenigsten besten Codes behalten, deren Wahrscheinlichkeit Top-p erreicht. 1 = aus</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="87"/>
        <source>The depth decoder&apos;s codebooks 1 to N-1; ticked: the value of codebook 0</source>
        <translation>Die Codebooks 1 bis N-1 des Tiefen-Decoders; angehakt: der Wert von Codebook 0</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="94"/>
        <source>Codebooks generated per frame (32 = all): fewer make the depth decoder faster and Mimi decodes only those</source>
        <translation>Je Frame erzeugte Codebooks (32 = alle): Weniger machen den Tiefen-Decoder schneller, und Mimi dekodiert nur diese</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="97"/>
        <source>left out (mask)</source>
        <translation>ausgelassen (mask)</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="98"/>
        <source>pad id (pad)</source>
        <translation>Pad-ID (pad)</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="99"/>
        <source>What the next frame&apos;s input holds for the codebooks not generated</source>
        <translation>Was die Eingabe des nächsten Frames für die nicht erzeugten Codebooks enthält</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="103"/>
        <source>The others</source>
        <translation>Die übrigen</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="159"/>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="169"/>
        <source>Cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="175"/>
        <source>%1 is not a preset file: %2</source>
        <translation>%1 ist keine Voreinstellungsdatei: %2</translation>
    </message>
</context>
<context>
    <name>SpectrogramView</name>
    <message>
        <location filename="../widgets/spectrogram_view.cpp" line="34"/>
        <source>Point at the spectrogram: time, frequency and level show here.</source>
        <translation>Auf das Spektrogramm zeigen: Zeit, Frequenz und Pegel erscheinen hier.</translation>
    </message>
    <message>
        <location filename="../widgets/spectrogram_view.cpp" line="40"/>
        <source>time (s)</source>
        <translation>Zeit (s)</translation>
    </message>
    <message>
        <location filename="../widgets/spectrogram_view.cpp" line="41"/>
        <source>kHz</source>
        <translation>kHz</translation>
    </message>
    <message>
        <location filename="../widgets/spectrogram_view.cpp" line="45"/>
        <source>dB</source>
        <translation>dB</translation>
    </message>
    <message>
        <location filename="../widgets/spectrogram_view.cpp" line="139"/>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <location filename="../widgets/spectrogram_view.cpp" line="142"/>
        <source> · %1 kHz: %2 dB</source>
        <translation> · %1 kHz: %2 dB</translation>
    </message>
</context>
<context>
    <name>StopLabel</name>
    <message>
        <location filename="../ui/stop_label.cpp" line="24"/>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <location filename="../ui/stop_label.cpp" line="25"/>
        <source>end of speech</source>
        <translation>Ende der Äußerung</translation>
    </message>
    <message>
        <location filename="../ui/stop_label.cpp" line="26"/>
        <source>max length</source>
        <translation>Höchstlänge</translation>
    </message>
    <message>
        <location filename="../ui/stop_label.cpp" line="27"/>
        <source>length guard</source>
        <translation>Längenschutz</translation>
    </message>
    <message>
        <location filename="../ui/stop_label.cpp" line="28"/>
        <source>stopped</source>
        <translation>angehalten</translation>
    </message>
    <message>
        <location filename="../ui/stop_label.cpp" line="29"/>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
</context>
<context>
    <name>VoiceClipPanel</name>
    <message>
        <location filename="../ui/voice_clip_panel.cpp" line="20"/>
        <source>Voice context clips</source>
        <translation>Stimmclips als Kontext</translation>
    </message>
    <message>
        <location filename="../ui/voice_clip_panel.cpp" line="27"/>
        <source>What is said in the clip</source>
        <translation>Was im Clip gesagt wird</translation>
    </message>
    <message>
        <location filename="../ui/voice_clip_panel.cpp" line="34"/>
        <source>Add clip…</source>
        <translation>Clip hinzufügen…</translation>
    </message>
    <message>
        <location filename="../ui/voice_clip_panel.cpp" line="35"/>
        <source>Play</source>
        <translation>Abspielen</translation>
    </message>
    <message>
        <location filename="../ui/voice_clip_panel.cpp" line="36"/>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <location filename="../ui/voice_clip_panel.cpp" line="42"/>
        <source>Transcript</source>
        <translation>Abschrift</translation>
    </message>
    <message>
        <location filename="../ui/voice_clip_panel.cpp" line="43"/>
        <source>Speaker</source>
        <translation>Sprecher</translation>
    </message>
    <message>
        <location filename="../ui/voice_clip_panel.cpp" line="45"/>
        <source>Drop audio files here, or add them:</source>
        <translation>Audiodateien hier ablegen oder hinzufügen:</translation>
    </message>
    <message>
        <location filename="../ui/voice_clip_panel.cpp" line="53"/>
        <source>Add voice clips</source>
        <translation>Stimmclips hinzufügen</translation>
    </message>
    <message>
        <location filename="../ui/voice_clip_panel.cpp" line="54"/>
        <source>Audio (*.wav *.flac *.ogg *.aiff *.au);;All files (*)</source>
        <translation>Audio (*.wav *.flac *.ogg *.aiff *.au);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location filename="../ui/voice_clip_panel.cpp" line="82"/>
        <source>Could not use %1: %2</source>
        <translation>%1 ist nicht verwendbar: %2</translation>
    </message>
    <message>
        <location filename="../ui/voice_clip_panel.cpp" line="89"/>
        <source>%1 (%2 s)</source>
        <translation>%1 (%2 s)</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../app/csm-studio/main.cpp" line="23"/>
        <source>Streaming CSM text to speech with live audio, plots and knobs. Without --model: the Hugging Face cache&apos;s sesame/csm-1b if present, else the demo model (random weights: noise, not speech).</source>
        <translation>CSM-Sprachsynthese im Datenstrom mit Live-Ton, -Diagrammen und -Reglern. Ohne --model: sesame/csm-1b aus dem Hugging-Face-Cache, falls vorhanden, sonst das Demo-Modell (Zufallsgewichte: Rauschen, keine Sprache).</translation>
    </message>
    <message>
        <location filename="../app/csm-studio/main.cpp" line="28"/>
        <source>Model folder, HF cache folder, or demo.</source>
        <translation>Modellordner, HF-Cache-Ordner oder demo.</translation>
    </message>
    <message>
        <location filename="../app/csm-studio/main.cpp" line="30"/>
        <source>Run history database file.</source>
        <translation>Datenbankdatei des Verlaufs.</translation>
    </message>
    <message>
        <location filename="../app/csm-studio/main.cpp" line="31"/>
        <source>Do not open an audio output.</source>
        <translation>Keine Audioausgabe öffnen.</translation>
    </message>
    <message>
        <location filename="../app/csm-studio/main.cpp" line="33"/>
        <source>Use a remote csm-serve as the engine, e.g. http://localhost:8000 through an ssh tunnel.</source>
        <translation>Einen entfernten csm-serve als Engine verwenden, z. B. http://localhost:8000 über einen ssh-Tunnel.</translation>
    </message>
    <message>
        <location filename="../app/csm-studio/main.cpp" line="37"/>
        <source>The remote server&apos;s API key (also $CSM_SERVE_API_KEY).</source>
        <translation>Der API-Schlüssel des entfernten Servers (auch $CSM_SERVE_API_KEY).</translation>
    </message>
</context>
</TS>
