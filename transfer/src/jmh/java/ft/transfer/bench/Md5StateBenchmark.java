package ft.transfer.bench;

import ft.transfer.Md5State;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.digests.MD5Digest;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue #13's rule for a resumable MD5: whatever digest is on the hot path must stay within
 * 10% of the JDK's MD5. Each operation feeds one 256 KiB buffer (a body chunk) into a running
 * digest, never finishing it, so only the compression function and its copying are measured.
 *
 * <p>Operations per second; MiB/s = ops/s / 4.
 *
 * <p>Measured for issue #13 (JDK 25.0.3, 2-core AMD EPYC shared with other builds; load
 * average 4 to 20 during the runs, so the spread is wide; {@code bench/jmh -f 1 -wi 3 -i 5}):
 * <pre>
 * run  load   JDK MessageDigest   BC MD5Digest        Md5State
 * 1    20     1093 ± 1069 ops/s   468 ± 600 (43%)     -
 * 2    14      919 ± 406          370 ± 145 (40%)     741 ± 535 (81%)
 * 3     7     2561 ± 2206         841 ± 322 (33%)     2858 ± 561 (112%)
 * 4     7     1676 ± 1547         1311 ± 730 (78%)    1719 ± 1234 (103%)
 * 5 (f2) 6    1556 ± 613          1059 ± 421 (68%)    1768 ± 530 (114%)
 * 6     5     2885 ± 206          1422 ± 170 (49%)    2807 ± 388 (97%)
 * 7     4     2688 ± 1836          927 ± 175 (34%)    2935 ± 75 (109%)
 * 8 (f2) 4    2992 ± 62           1301 ± 129 (43%)    2907 ± 136 (97%)
 * </pre>
 * In the quietest runs (6, 8) the JDK hashes ~740 MiB/s, Md5State (the same JDK code through
 * method handles) ~720 MiB/s, within 3%, and Bouncy Castle ~330 MiB/s, about 45%: far outside
 * the 10% the issue allows, so Md5State keeps the JDK's digest and reads its state instead.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// Md5State reaches the JDK's MD5 state only where the package is open (as ft.jar's manifest does).
@Fork(value = 1, jvmArgsAppend = "--add-opens=java.base/sun.security.provider=ALL-UNNAMED")
public class Md5StateBenchmark {
    private static final int CHUNK = 256 * 1024;

    private final byte[] data = new byte[CHUNK];
    private MessageDigest jdk;
    private MD5Digest bc;
    private Md5State md5State;

    @Setup
    public void setUp() throws NoSuchAlgorithmException {
        new Random(42).nextBytes(data);
        jdk = MessageDigest.getInstance("MD5");
        bc = new MD5Digest();
        md5State = Md5State.create();
        if (!Md5State.canSaveState()) {
            throw new IllegalStateException(
                    "Md5State cannot reach the JDK's MD5 state: run with the --add-opens above");
        }
    }

    /** The reference: the JDK's MD5 (an intrinsic on x86-64 and AArch64 since JDK 16). */
    @Benchmark
    public MessageDigest jdkMessageDigest() {
        jdk.update(data, 0, CHUNK);
        return jdk;
    }

    /** Bouncy Castle's MD5Digest, whose state getEncodedState() exports. */
    @Benchmark
    public MD5Digest bouncyCastleMd5Digest() {
        bc.update(data, 0, CHUNK);
        return bc;
    }

    /** ft's choice: the JDK's MD5 reached through method handles, so that its state can be saved. */
    @Benchmark
    public MessageDigest md5State() {
        md5State.update(data, 0, CHUNK);
        return md5State;
    }
}
