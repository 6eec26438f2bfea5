# The guide's multi-speaker section gives the prompt and the speech_config only; this is the single-speaker
# example with those two parts put in, nothing else changed.
import base64
from google import genai
import wave

# Set up the wave file to save the output:
def wave_file(filename, pcm, channels=1, rate=24000, sample_width=2):
    with wave.open(filename, "wb") as wf:
        wf.setnchannels(channels)
        wf.setsampwidth(sample_width)
        wf.setframerate(rate)
        wf.writeframes(pcm)

client = genai.Client()

interaction = client.interactions.create(
    model="gemini-2.5-flash-preview-tts",
    input="""TTS the following conversation between Alice and Bob:
Alice: Hi Bob, how are you doing today?
Bob: I'm doing great, thanks for asking! How about you?
Alice: Fantastic! I just learned about the Gemini API.""",
    response_modalities=["AUDIO"],
    generation_config={
        "speech_config": [
            {"voice": "Zephyr", "speaker": "Alice", "language": "en-US"},
            {"voice": "Puck", "speaker": "Bob", "language": "en-US"}
        ]
    }
)

for output in interaction.outputs:
    if output.type == "audio":
        print(f"Generated audio with mime_type: {output.mime_type}")
        # Save the audio as wave file to the current directory.
        wave_file("generated_audio.wav", base64.b64decode(output.data))
