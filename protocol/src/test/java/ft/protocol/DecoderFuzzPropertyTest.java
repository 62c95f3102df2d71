package ft.protocol;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;

/**
 * Property-based fuzzing of everything that reads untrusted bytes: whatever comes in, the
 * decoder returns a value or throws {@link ProtocolException}, and never hangs. See
 * {@link Fuzz} for the invariants checked on each input. Each try is bounded in time.
 */
class DecoderFuzzPropertyTest {
    private static final int TRIES = 2000;
    private static final Duration PER_INPUT = Duration.ofSeconds(10);

    private static void bounded(Runnable check) {
        assertTimeoutPreemptively(PER_INPUT, check::run, "decoding did not finish in " + PER_INPUT);
    }

    // ---------------------------------------------------------------- header codec

    @Property(tries = TRIES, shrinking = ShrinkingMode.BOUNDED)
    void randomBytesAreDecodedOrRefusedWithBadRequest(@ForAll("randomBytes") byte[] input) {
        bounded(() -> Fuzz.decodeOrRefuse(input));
    }

    @Property(tries = TRIES, shrinking = ShrinkingMode.BOUNDED)
    void mutatedValidHeadersAreDecodedOrRefusedWithBadRequest(
            @ForAll("validHeaders") byte[] base, @ForAll("mutations") List<Fuzz.Mutation> mutations) {
        bounded(() -> Fuzz.decodeOrRefuse(Fuzz.mutate(base, mutations)));
    }

    @Property(tries = TRIES, shrinking = ShrinkingMode.BOUNDED)
    void jsonTokenSoupIsDecodedOrRefusedWithBadRequest(@ForAll("tokenSoup") String json) {
        bounded(() -> Fuzz.decodeOrRefuse(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Property(tries = TRIES, shrinking = ShrinkingMode.BOUNDED)
    void wellFormedObjectsWithRandomFieldsAreDecodedOrRefusedWithBadRequest(@ForAll("randomObjects") String json) {
        bounded(() -> Fuzz.decodeOrRefuse(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Property(tries = TRIES, shrinking = ShrinkingMode.BOUNDED)
    void randomUnicodeTextIsDecodedOrRefusedWithBadRequest(@ForAll("unicodeText") String text) {
        bounded(() -> Fuzz.decodeOrRefuse(text.getBytes(StandardCharsets.UTF_8)));
    }

    // ---------------------------------------------------------------- frame reader

    @Property(tries = TRIES, shrinking = ShrinkingMode.BOUNDED)
    void randomStreamsYieldFramesNullOrProtocolException(
            @ForAll("frameStreams") byte[] stream, @ForAll boolean trickle, @ForAll boolean required) {
        bounded(() -> Fuzz.readFramesOrRefuse(stream, trickle, required));
    }

    @Property(tries = TRIES, shrinking = ShrinkingMode.BOUNDED)
    void randomBytesAsAStreamYieldFramesNullOrProtocolException(
            @ForAll("randomBytes") byte[] stream, @ForAll boolean required) {
        bounded(() -> Fuzz.readFramesOrRefuse(stream, false, required));
    }

    // ---------------------------------------------------------------- generators

    @Provide
    Arbitrary<byte[]> randomBytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    }

    @Provide
    Arbitrary<byte[]> validHeaders() {
        return Arbitraries.of(Fuzz.VALID_HEADERS);
    }

    @Provide
    Arbitrary<List<Fuzz.Mutation>> mutations() {
        return Combinators.combine(
                        Arbitraries.integers().between(0, Fuzz.Mutation.KINDS - 1),
                        Arbitraries.integers(),
                        Arbitraries.integers().between(0, 255),
                        Arbitraries.integers().between(0, 64))
                .as(Fuzz.Mutation::new)
                .list()
                .ofMinSize(1)
                .ofMaxSize(6);
    }

    @Provide
    Arbitrary<String> tokenSoup() {
        return Arbitraries.of(Fuzz.JSON_TOKENS).list().ofMaxSize(40).map(tokens -> String.join("", tokens));
    }

    @Provide
    Arbitrary<String> randomObjects() {
        Arbitrary<String> key = Arbitraries.of(
                "op", "version", "path", "offset", "if_md5", "size", "md5", "status", "code", "message", "name",
                "server", "ofset", "", "x");
        Arbitrary<String> value = Arbitraries.oneOf(
                Arbitraries.of(
                        "\"hello\"",
                        "\"get\"",
                        "\"put\"",
                        "\"ok\"",
                        "\"error\"",
                        "\"NOT_FOUND\"",
                        "\"WHAT\"",
                        "\"a/b.txt\"",
                        "\"\"",
                        "\"5d41402abc4b2a76b9719d911017c592\"",
                        "\"\\ud800\"",
                        "\"\\u0000\"",
                        "null",
                        "true",
                        "[]",
                        "{}",
                        "[[1]]",
                        "{\"a\":{\"b\":{}}}",
                        "1.5",
                        "1e3",
                        "-1",
                        "0",
                        "1"),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.bigIntegers()
                        .between(java.math.BigInteger.TEN.pow(18), java.math.BigInteger.TEN.pow(25))
                        .map(String::valueOf),
                Arbitraries.strings()
                        .ofMaxLength(20)
                        .map(s -> '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"'));
        Arbitrary<String> field = Combinators.combine(key, value).as((k, v) -> '"' + k + "\":" + v);
        Arbitrary<String> head = Arbitraries.of(
                "\"op\":\"hello\"", "\"op\":\"get\"", "\"op\":\"put\"", "\"status\":\"ok\"", "\"status\":\"error\"");
        return Combinators.combine(head, field.list().ofMaxSize(6))
                .as((h, fields) -> "{" + h + (fields.isEmpty() ? "" : "," + String.join(",", fields)) + "}");
    }

    @Provide
    Arbitrary<String> unicodeText() {
        return Arbitraries.strings().all().ofMaxLength(100);
    }

    @Provide
    Arbitrary<byte[]> frameStreams() {
        Arbitrary<byte[]> wellFormed = Arbitraries.bytes()
                .array(byte[].class)
                .ofMinSize(1)
                .ofMaxSize(40)
                .map(Frames::frame);
        Arbitrary<byte[]> anyPrefix = Arbitraries.integers().map(n -> Frames.prefix(n & 0xFFFFFFFFL));
        Arbitrary<byte[]> smallPrefix = Arbitraries.integers().between(0, 70).map(Frames::prefix);
        Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofMaxSize(20);
        return Arbitraries.oneOf(wellFormed, anyPrefix, smallPrefix, noise)
                .list()
                .ofMaxSize(8)
                .map(parts -> Frames.concat(parts.toArray(byte[][]::new)));
    }
}
