package ft.protocol;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing (Jazzer) of the header codec on one frame's payload, where the fuzzer
 * need not learn the length prefix first (see {@link FrameReaderFuzzTest} for whole streams).
 *
 * <p>Whatever the bytes, decoding a request, each response type or a listing item returns a
 * value that re-encodes to itself or throws {@link ProtocolException} with
 * {@link ErrorCode#BAD_REQUEST} (see {@link Fuzz#decodeAnyOrRefuse}); and it allocates in
 * proportion to the payload. (Parity with the databind reference stays with
 * {@link DecoderFuzzPropertyTest}, whose inputs keep to the fields that reference knows.)
 *
 * <p>The normal test run replays the committed corpus in
 * {@code src/test/resources/ft/protocol/HeaderCodecFuzzTestInputs/}; {@code -Pfuzz} fuzzes.
 */
class HeaderCodecFuzzTest {
    /** The parser's buffers and the decoded value's few objects. */
    private static final long FIXED_ALLOWANCE = 256 * 1024;

    private static final long PER_INPUT_BYTE = 64;

    @FuzzTest(maxDuration = "30s")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void headersAreDecodedOrRefused(byte[] header) {
        long allocated = Allocation.during(() -> {
            try {
                Fuzz.CODEC.decodeRequest(header);
            } catch (ProtocolException refused) {
                // measured only
            }
            try {
                Fuzz.CODEC.decodeResponse(header, Response.GetOk.class);
            } catch (ProtocolException refused) {
                // measured only
            }
            Fuzz.CODEC.decodeListItem(header);
        });
        assertTrue(
                allocated <= FIXED_ALLOWANCE + PER_INPUT_BYTE * header.length,
                () -> "decoding " + header.length + " bytes allocated " + allocated + " bytes: " + Fuzz.hex(header));
        Fuzz.decodeAnyOrRefuse(header);
    }
}
