<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>AudioOutput</name>
    <message>
        <location filename="../ui/audio_output.cpp" line="46"/>
        <source>No audio output device is available; audio is still generated and can be exported.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/audio_output.cpp" line="58"/>
        <source>The audio output could not be started.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CompareDialog</name>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="30"/>
        <source>Compare runs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="31"/>
        <source>Cumulative RTF</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="31"/>
        <location filename="../ui/compare_dialog.cpp" line="32"/>
        <source>audio (s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="31"/>
        <source>RTF</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="32"/>
        <source>Chunk latency</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="32"/>
        <source>ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="40"/>
        <source>run %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/compare_dialog.cpp" line="43"/>
        <source>Play run %1 (RTF %2)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>GenerationWorker</name>
    <message>
        <location filename="../ui/generation_worker.cpp" line="61"/>
        <source>No model is loaded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/generation_worker.cpp" line="61"/>
        <source>Pick a model (the demo model needs no download).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../ui/main_window.cpp" line="66"/>
        <source>csm-studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="95"/>
        <source>no model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="111"/>
        <source>Hello! This is CSM speaking while it generates.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="126"/>
        <source>Text to speak. Several lines with &quot;One text per line&quot; run as a batch.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="132"/>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="133"/>
        <source>Speaker</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="134"/>
        <source>Generate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="135"/>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="136"/>
        <source>Generate (Ctrl+Return)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="137"/>
        <source>Stop within one frame (Esc)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="160"/>
        <source>Real-time factor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="160"/>
        <source>audio (s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="160"/>
        <source>RTF</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="161"/>
        <source>per chunk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="162"/>
        <source>cumulative</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="163"/>
        <source>Latency</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="163"/>
        <source>chunk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="163"/>
        <source>ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="164"/>
        <source>chunk latency</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="165"/>
        <source>time to first audio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="166"/>
        <source>Memory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="166"/>
        <source>time (s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="166"/>
        <source>MiB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="167"/>
        <source>RSS / VRAM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="178"/>
        <source>Replay</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="179"/>
        <source>Compare two</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="183"/>
        <source>Run history</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="189"/>
        <source>Audio so far</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="218"/>
        <source>Choose a CSM model folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="229"/>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="230"/>
        <source>Export &amp;audio…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="231"/>
        <source>Export audio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="231"/>
        <source>WAV (*.wav)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="232"/>
        <location filename="../ui/main_window.cpp" line="237"/>
        <location filename="../ui/main_window.cpp" line="245"/>
        <source>Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="232"/>
        <location filename="../ui/main_window.cpp" line="237"/>
        <source>Could not write %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="234"/>
        <source>Export &amp;metrics…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="236"/>
        <source>Export metrics</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="236"/>
        <source>CSV (*.csv);;JSON (*.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="239"/>
        <source>Export &amp;plots…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="241"/>
        <source>Export plots</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="241"/>
        <source>PNG (*.png);;PDF (*.pdf)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="245"/>
        <source>Could not write the plots</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="248"/>
        <source>&amp;Save preset…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="249"/>
        <source>Save preset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="249"/>
        <location filename="../ui/main_window.cpp" line="254"/>
        <source>Preset (*.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="251"/>
        <location filename="../ui/main_window.cpp" line="256"/>
        <source>Preset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="253"/>
        <source>&amp;Load preset…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="254"/>
        <source>Load preset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="258"/>
        <source>&amp;Import history…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="259"/>
        <source>Import run history</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="259"/>
        <source>History (*.sqlite)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="263"/>
        <source>Import</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/main_window.cpp" line="264"/>
        <source>Imported %n run(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="268"/>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="269"/>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="270"/>
        <source>&amp;About</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="271"/>
        <source>About csm-studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="272"/>
        <source>csm-studio: streaming CSM-1B text to speech, with live plots and knobs.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="278"/>
        <source>Demo model (random weights: noise, not speech)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="280"/>
        <source>sesame/csm-1b (Hugging Face cache)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="286"/>
        <source>Browse for a model folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="302"/>
        <source>loading model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="302"/>
        <source>ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="302"/>
        <source>generating</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="303"/>
        <source>stopping</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="303"/>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="323"/>
        <source>Type something to say first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="333"/>
        <source>Give every voice clip its transcript.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="342"/>
        <source>target</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="383"/>
        <source>First audio: %1 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="384"/>
        <source>RTF: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="390"/>
        <source>Underruns: %1 (continuity %2%)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="395"/>
        <source>stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="410"/>
        <source>History not saved: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="415"/>
        <source>last run failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="418"/>
        <source>Generation failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="424"/>
        <source>%1 — %2 (RTF %3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="456"/>
        <source>Select exactly two runs to compare.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <location filename="../ui/run_history.cpp" line="45"/>
        <source>Cannot open the run history %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/run_history.cpp" line="53"/>
        <source>%1 is not a usable run history: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RunSettingsPanel</name>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="12"/>
        <source>Settings (apply to the next run)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="14"/>
        <source>Chunk size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="15"/>
        <location filename="../ui/run_settings_panel.cpp" line="17"/>
        <source> ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="16"/>
        <source>First chunk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="18"/>
        <source>Frames per decode</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="19"/>
        <source>Streams at once</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="20"/>
        <source>Temperature</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="21"/>
        <source>Top-k</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="22"/>
        <source>Max length</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="23"/>
        <source> s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="24"/>
        <source>RTF target</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="28"/>
        <source>Seed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="35"/>
        <source>Frames Mimi decodes per call</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="36"/>
        <source>Several lines of text are generated together, this many at a time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="37"/>
        <source>0 = no cut-off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="38"/>
        <source>0 = greedy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="71"/>
        <source>Cannot write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="81"/>
        <source>Cannot read %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/run_settings_panel.cpp" line="87"/>
        <source>%1 is not a preset file: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>VoiceClipPanel</name>
    <message>
        <location filename="../ui/voice_clip_panel.cpp" line="20"/>
        <source>Voice context clips</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/voice_clip_panel.cpp" line="27"/>
        <source>What is said in the clip</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/voice_clip_panel.cpp" line="34"/>
        <source>Add clip…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/voice_clip_panel.cpp" line="35"/>
        <source>Play</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/voice_clip_panel.cpp" line="36"/>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/voice_clip_panel.cpp" line="42"/>
        <source>Transcript</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/voice_clip_panel.cpp" line="43"/>
        <source>Speaker</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/voice_clip_panel.cpp" line="45"/>
        <source>Drop audio files here, or add them:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/voice_clip_panel.cpp" line="53"/>
        <source>Add voice clips</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/voice_clip_panel.cpp" line="54"/>
        <source>Audio (*.wav *.flac *.ogg *.aiff *.au);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/voice_clip_panel.cpp" line="82"/>
        <source>Could not use %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/voice_clip_panel.cpp" line="89"/>
        <source>%1 (%2 s)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../app/csm-studio/main.cpp" line="22"/>
        <source>Streaming CSM text to speech with live audio, plots and knobs. Without --model: the Hugging Face cache&apos;s sesame/csm-1b if present, else the demo model (random weights: noise, not speech).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/csm-studio/main.cpp" line="27"/>
        <source>Model folder, HF cache folder, or demo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/csm-studio/main.cpp" line="29"/>
        <source>Run history database file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/csm-studio/main.cpp" line="30"/>
        <source>Do not open an audio output.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
