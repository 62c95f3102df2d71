package ft.protocol;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing (Jazzer) of the first thing that reads a connection: the frame reader,
 * and the header codec on every frame it returns. The input is the byte stream a peer sends.
 *
 * <p>Whatever the stream, the reader returns payloads of 1..{@link Protocol#MAX_FRAME_BYTES}
 * bytes, {@code null} at a clean end, or throws {@link ProtocolException}; each payload is
 * decoded as a request, as every response and as a listing item, which returns a value that
 * round-trips or throws {@code ProtocolException} (see {@link Fuzz#decodeAnyOrRefuse}). What the reader allocates follows the bytes it
 * got, not the lengths the stream claims.
 *
 * <p>The normal test run replays the committed corpus in
 * {@code src/test/resources/ft/protocol/FrameReaderFuzzTestInputs/}; {@code -Pfuzz} fuzzes.
 */
class FrameReaderFuzzTest {
    /** A frame of the maximum size costs its payload and readNBytes' copies of it; nothing more. */
    private static final long FIXED_ALLOWANCE = 64 * 1024;

    private static final long PER_INPUT_BYTE = 16;

    @FuzzTest(maxDuration = "30s")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void framesAreReadAndDecodedOrRefused(byte[] stream) {
        long allocated = Allocation.during(() -> {
            FrameReader reader = new FrameReader(new ByteArrayInputStream(stream));
            while (reader.readFrame() != null) {
                // read until the end or the first refusal
            }
        });
        assertTrue(
                allocated <= FIXED_ALLOWANCE + PER_INPUT_BYTE * stream.length,
                () -> "reading " + stream.length + " bytes of frames allocated " + allocated + " bytes: "
                        + Fuzz.hex(stream));

        List<byte[]> frames = new ArrayList<>();
        Fuzz.readFramesOrRefuse(stream, false, false, frames::add);
        // A reader that gets one byte per read call sees the same frames, and with
        // readRequiredFrame the end of the stream is an EOFException instead of null.
        List<byte[]> trickled = new ArrayList<>();
        Fuzz.readFramesOrRefuse(stream, true, true, trickled::add);
        assertTrue(frames.size() == trickled.size(), () -> "a trickled stream gave other frames: " + Fuzz.hex(stream));
        for (byte[] frame : frames) {
            Fuzz.decodeAnyOrRefuse(frame);
        }
    }
}
