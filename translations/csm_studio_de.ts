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
    <name>CompareDialog</name>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="30"/>
        <source>Compare runs</source>
        <translation>Läufe vergleichen</translation>
    </message>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="31"/>
        <source>Cumulative RTF</source>
        <translation>Kumulativer RTF</translation>
    </message>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="31"/>
        <location filename="../ui/compare_dialog.cpp" line="32"/>
        <source>audio (s)</source>
        <translation>Audio (s)</translation>
    </message>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="31"/>
        <source>RTF</source>
        <translation>RTF</translation>
    </message>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="32"/>
        <source>Chunk latency</source>
        <translation>Latenz je Block</translation>
    </message>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="32"/>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="40"/>
        <source>run %1</source>
        <translation>Lauf %1</translation>
    </message>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="43"/>
        <source>Play run %1 (RTF %2)</source>
        <translation>Lauf %1 abspielen (RTF %2)</translation>
    </message>
</context>
<context>
    <name>GenerationWorker</name>
    <message>
        <location filename="../ui/generation_worker.cpp" line="61"/>
        <source>No model is loaded.</source>
        <translation>Es ist kein Modell geladen.</translation>
    </message>
    <message>
        <location filename="../ui/generation_worker.cpp" line="61"/>
        <source>Pick a model (the demo model needs no download).</source>
        <translation>Wählen Sie ein Modell (das Demo-Modell braucht keinen Download).</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../ui/main_window.cpp" line="66"/>
        <source>csm-studio</source>
        <translation>csm-studio</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="95"/>
        <source>no model</source>
        <translation>kein Modell</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="111"/>
        <source>Hello! This is CSM speaking while it generates.</source>
        <translation>Hallo! Hier spricht CSM, während es erzeugt.</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="126"/>
        <source>Text to speak. Each line is a text of its own; several lines run as a batch.</source>
        <translation>Zu sprechender Text. Jede Zeile ist ein eigener Text; mehrere Zeilen laufen als Stapel.</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="132"/>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="133"/>
        <source>Speaker</source>
        <translation>Sprecher</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="134"/>
        <source>Generate</source>
        <translation>Erzeugen</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="135"/>
        <source>Stop</source>
        <translation>Anhalten</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="136"/>
        <source>Generate (Ctrl+Return)</source>
        <translation>Erzeugen (Strg+Eingabe)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="137"/>
        <source>Stop within one frame (Esc)</source>
        <translation>Innerhalb eines Frames anhalten (Esc)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="160"/>
        <source>Real-time factor</source>
        <translation>Echtzeitfaktor</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="160"/>
        <source>audio (s)</source>
        <translation>Audio (s)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="160"/>
        <source>RTF</source>
        <translation>RTF</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="161"/>
        <source>per chunk</source>
        <translation>je Block</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="162"/>
        <source>cumulative</source>
        <translation>kumulativ</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="163"/>
        <source>Latency</source>
        <translation>Latenz</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="163"/>
        <source>chunk</source>
        <translation>Block</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="163"/>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="164"/>
        <source>chunk latency</source>
        <translation>Blocklatenz</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="165"/>
        <source>time to first audio</source>
        <translation>Zeit bis zum ersten Ton</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="166"/>
        <source>Memory</source>
        <translation>Speicher</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="166"/>
        <source>time (s)</source>
        <translation>Zeit (s)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="166"/>
        <source>MiB</source>
        <translation>MiB</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="167"/>
        <source>RSS / VRAM</source>
        <translation>RSS / VRAM</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="178"/>
        <source>Replay</source>
        <translation>Wiedergeben</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="179"/>
        <source>Compare two</source>
        <translation>Zwei vergleichen</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="183"/>
        <source>Run history</source>
        <translation>Verlauf der Läufe</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="193"/>
        <source>Audio so far</source>
        <translation>Bisheriger Ton</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="222"/>
        <source>Choose a CSM model folder</source>
        <translation>CSM-Modellordner wählen</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="233"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="234"/>
        <source>Export &amp;audio…</source>
        <translation>&amp;Audio exportieren…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="235"/>
        <source>Export audio</source>
        <translation>Audio exportieren</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="235"/>
        <source>WAV (*.wav)</source>
        <translation>WAV (*.wav)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="236"/>
        <location filename="../ui/main_window.cpp" line="241"/>
        <location filename="../ui/main_window.cpp" line="249"/>
        <source>Export</source>
        <translation>Export</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="236"/>
        <location filename="../ui/main_window.cpp" line="241"/>
        <source>Could not write %1</source>
        <translation>%1 konnte nicht geschrieben werden</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="238"/>
        <source>Export &amp;metrics…</source>
        <translation>&amp;Messwerte exportieren…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="240"/>
        <source>Export metrics</source>
        <translation>Messwerte exportieren</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="240"/>
        <source>CSV (*.csv);;JSON (*.json)</source>
        <translation>CSV (*.csv);;JSON (*.json)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="243"/>
        <source>Export &amp;plots…</source>
        <translation>&amp;Diagramme exportieren…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="245"/>
        <source>Export plots</source>
        <translation>Diagramme exportieren</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="245"/>
        <source>PNG (*.png);;PDF (*.pdf)</source>
        <translation>PNG (*.png);;PDF (*.pdf)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="249"/>
        <source>Could not write the plots</source>
        <translation>Die Diagramme konnten nicht geschrieben werden</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="252"/>
        <source>&amp;Save preset…</source>
        <translation>Voreinstellung &amp;speichern…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="253"/>
        <source>Save preset</source>
        <translation>Voreinstellung speichern</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="253"/>
        <location filename="../ui/main_window.cpp" line="258"/>
        <source>Preset (*.json)</source>
        <translation>Voreinstellung (*.json)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="255"/>
        <location filename="../ui/main_window.cpp" line="260"/>
        <source>Preset</source>
        <translation>Voreinstellung</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="257"/>
        <source>&amp;Load preset…</source>
        <translation>Voreinstellung &amp;laden…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="258"/>
        <source>Load preset</source>
        <translation>Voreinstellung laden</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="262"/>
        <source>&amp;Import history…</source>
        <translation>Verlauf &amp;importieren…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="263"/>
        <source>Import run history</source>
        <translation>Verlauf der Läufe importieren</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="263"/>
        <source>History (*.sqlite)</source>
        <translation>Verlauf (*.sqlite)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="267"/>
        <source>Import</source>
        <translation>Import</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/main_window.cpp" line="268"/>
        <source>Imported %n run(s)</source>
        <translation>
            <numerusform>%n Lauf importiert</numerusform>
            <numerusform>%n Läufe importiert</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="272"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="273"/>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="274"/>
        <source>&amp;About</source>
        <translation>&amp;Über</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="275"/>
        <source>About csm-studio</source>
        <translation>Über csm-studio</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="276"/>
        <source>csm-studio: streaming CSM-1B text to speech, with live plots and knobs.</source>
        <translation>csm-studio: CSM-1B-Sprachsynthese im Datenstrom, mit Live-Diagrammen und -Reglern.</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="282"/>
        <source>Demo model (random weights: noise, not speech)</source>
        <translation>Demo-Modell (Zufallsgewichte: Rauschen, keine Sprache)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="284"/>
        <source>sesame/csm-1b (Hugging Face cache)</source>
        <translation>sesame/csm-1b (Hugging-Face-Cache)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="285"/>
        <source>sesame/csm-1b (download from the hub; needs HF_TOKEN)</source>
        <translation>sesame/csm-1b (vom Hub herunterladen; braucht HF_TOKEN)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="291"/>
        <source>Browse for a model folder…</source>
        <translation>Modellordner suchen…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="307"/>
        <source>loading model</source>
        <translation>Modell wird geladen</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="307"/>
        <source>ready</source>
        <translation>bereit</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="307"/>
        <source>generating</source>
        <translation>erzeugt</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="308"/>
        <source>stopping</source>
        <translation>hält an</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="308"/>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="328"/>
        <source>Type something to say first.</source>
        <translation>Geben Sie zuerst einen Text ein.</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="338"/>
        <source>Give every voice clip its transcript.</source>
        <translation>Geben Sie zu jedem Stimmclip seine Abschrift an.</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="347"/>
        <source>target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="388"/>
        <source>First audio: %1 ms</source>
        <translation>Erster Ton: %1 ms</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="389"/>
        <source>RTF: %1</source>
        <translation>RTF: %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="395"/>
        <source>Underruns: %1 (continuity %2%)</source>
        <translation>Unterläufe: %1 (Kontinuität %2 %)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="400"/>
        <source>stopped</source>
        <translation>angehalten</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="422"/>
        <source>History not saved: %1</source>
        <translation>Verlauf nicht gespeichert: %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="443"/>
        <source>last run failed</source>
        <translation>letzter Lauf fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="447"/>
        <source>Generation failed</source>
        <translation>Erzeugung fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="456"/>
        <source>%1 — %2 (failed, %3 s kept)</source>
        <translation>%1 — %2 (fehlgeschlagen, %3 s behalten)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="457"/>
        <source>%1 — %2 (RTF %3)</source>
        <translation>%1 — %2 (RTF %3)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="488"/>
        <source>Select exactly two runs to compare.</source>
        <translation>Wählen Sie genau zwei Läufe zum Vergleich.</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <location filename="../ui/run_history.cpp" line="45"/>
        <source>Cannot open the run history %1: %2</source>
        <translation>Der Verlauf %1 kann nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <location filename="../ui/run_history.cpp" line="53"/>
        <source>%1 is not a usable run history: %2</source>
        <translation>%1 ist kein nutzbarer Verlauf: %2</translation>
    </message>
</context>
<context>
    <name>RunSettingsPanel</name>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="12"/>
        <source>Settings (apply to the next run)</source>
        <translation>Einstellungen (gelten ab dem nächsten Lauf)</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="14"/>
        <source>Chunk size</source>
        <translation>Blockgröße</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="15"/>
        <location filename="../ui/run_settings_panel.cpp" line="17"/>
        <source> ms</source>
        <translation> ms</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="16"/>
        <source>First chunk</source>
        <translation>Erster Block</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="18"/>
        <source>Frames per decode</source>
        <translation>Frames je Dekodierung</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="19"/>
        <source>Streams at once</source>
        <translation>Gleichzeitige Ströme</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="20"/>
        <source>Temperature</source>
        <translation>Temperatur</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="21"/>
        <source>Top-k</source>
        <translation>Top-k</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="22"/>
        <source>Max length</source>
        <translation>Höchstlänge</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="23"/>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="24"/>
        <source>RTF target</source>
        <translation>RTF-Ziel</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="28"/>
        <source>Seed</source>
        <translation>Startwert</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="35"/>
        <source>Frames Mimi decodes per call</source>
        <translation>Frames, die Mimi je Aufruf dekodiert</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="36"/>
        <source>Several lines of text are generated together, this many at a time</source>
        <translation>Mehrere Textzeilen werden gemeinsam erzeugt, so viele auf einmal</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="37"/>
        <source>0 = no cut-off</source>
        <translation>0 = keine Begrenzung</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="38"/>
        <source>0 = greedy</source>
        <translation>0 = gierig (immer das Wahrscheinlichste)</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="71"/>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="81"/>
        <source>Cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="87"/>
        <source>%1 is not a preset file: %2</source>
        <translation>%1 ist keine Voreinstellungsdatei: %2</translation>
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
        <location filename="../app/csm-studio/main.cpp" line="22"/>
        <source>Streaming CSM text to speech with live audio, plots and knobs. Without --model: the Hugging Face cache&apos;s sesame/csm-1b if present, else the demo model (random weights: noise, not speech).</source>
        <translation>CSM-Sprachsynthese im Datenstrom mit Live-Ton, -Diagrammen und -Reglern. Ohne --model: sesame/csm-1b aus dem Hugging-Face-Cache, falls vorhanden, sonst das Demo-Modell (Zufallsgewichte: Rauschen, keine Sprache).</translation>
    </message>
    <message>
        <location filename="../app/csm-studio/main.cpp" line="27"/>
        <source>Model folder, HF cache folder, or demo.</source>
        <translation>Modellordner, HF-Cache-Ordner oder demo.</translation>
    </message>
    <message>
        <location filename="../app/csm-studio/main.cpp" line="29"/>
        <source>Run history database file.</source>
        <translation>Datenbankdatei des Verlaufs.</translation>
    </message>
    <message>
        <location filename="../app/csm-studio/main.cpp" line="30"/>
        <source>Do not open an audio output.</source>
        <translation>Keine Audioausgabe öffnen.</translation>
    </message>
</context>
</TS>
