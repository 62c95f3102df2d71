package ft.protocol;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A deterministic fuzz batch: a fixed seed, many inputs, one time bound for the whole batch.
 * A failure names the seed and the case, so it can be replayed exactly.
 */
class DecoderFuzzSeededTest {
    private static final long SEED = 0x5EED_F7_2025L;
    private static final int CASES_PER_KIND = 2000;
    private static final Duration WHOLE_BATCH = Duration.ofSeconds(10);

    @FunctionalInterface
    private interface Case {
        void run(Random random);
    }

    private static void batch(String kind, Case c) {
        assertTimeoutPreemptively(WHOLE_BATCH, () -> {
            Random random = new Random(SEED);
            for (int i = 0; i < CASES_PER_KIND; i++) {
                try {
                    c.run(random);
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError(kind + " failed at case " + i + " of seed " + SEED + ": " + e, e);
                }
            }
        }, () -> kind + ": " + CASES_PER_KIND + " cases of seed " + SEED + " did not finish in " + WHOLE_BATCH);
    }

    private static byte[] randomBytes(Random random, int maxLength) {
        byte[] b = new byte[random.nextInt(maxLength + 1)];
        random.nextBytes(b);
        return b;
    }

    @Test
    void randomBytesAreDecodedOrRefusedWithBadRequest() {
        batch("random bytes", r -> Fuzz.decodeOrRefuse(randomBytes(r, 200)));
    }

    @Test
    void mutatedValidHeadersAreDecodedOrRefusedWithBadRequest() {
        batch("mutated headers", r -> {
            byte[] base = Fuzz.VALID_HEADERS.get(r.nextInt(Fuzz.VALID_HEADERS.size()));
            List<Fuzz.Mutation> mutations = new ArrayList<>();
            for (int m = 1 + r.nextInt(5); m > 0; m--) {
                mutations.add(new Fuzz.Mutation(r.nextInt(Fuzz.Mutation.KINDS), r.nextInt(), r.nextInt(256),
                        r.nextInt(65)));
            }
            Fuzz.decodeOrRefuse(Fuzz.mutate(base, mutations));
        });
    }

    @Test
    void jsonTokenSoupIsDecodedOrRefusedWithBadRequest() {
        batch("token soup", r -> {
            StringBuilder json = new StringBuilder();
            for (int t = r.nextInt(30); t > 0; t--) {
                json.append(Fuzz.JSON_TOKENS.get(r.nextInt(Fuzz.JSON_TOKENS.size())));
            }
            Fuzz.decodeOrRefuse(json.toString().getBytes(StandardCharsets.UTF_8));
        });
    }

    @Test
    void randomStreamsYieldFramesNullOrProtocolException() {
        batch("frame streams", r -> {
            List<byte[]> parts = new ArrayList<>();
            for (int p = r.nextInt(6); p > 0; p--) {
                switch (r.nextInt(4)) {
                    case 0 -> {
                        byte[] payload = randomBytes(r, 40);
                        parts.add(Frames.frame(payload.length == 0 ? new byte[] {'{'} : payload));
                    }
                    case 1 -> parts.add(Frames.prefix(r.nextInt() & 0xFFFFFFFFL));
                    case 2 -> parts.add(Frames.prefix(r.nextInt(70)));
                    default -> parts.add(randomBytes(r, 20));
                }
            }
            Fuzz.readFramesOrRefuse(Frames.concat(parts.toArray(byte[][]::new)), r.nextBoolean(), r.nextBoolean());
        });
    }
}
