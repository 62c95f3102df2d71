package ft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ft.client.ConnectionException;
import ft.client.Outcome;
import ft.client.Progress;
import ft.client.Transfer;
import ft.protocol.Md5;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BatchProgressTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long MIB = 1 << 20;
    private static final Md5 SOME_MD5 = new Md5("d41d8cd98f00b204e9800998ecf8427e");

    private final StringWriter sink = new StringWriter();
    private final PrintWriter err = new PrintWriter(sink, true);
    private final AtomicLong clock = new AtomicLong();
    private final StatusLine line = new StatusLine(err, () -> 100, "\u2026");

    private final Transfer a = Transfer.get("dir/a.bin", Path.of("out/a.bin"), 4 * MIB);
    private final Transfer b = Transfer.get("dir/b.bin", Path.of("out/b.bin"), 4 * MIB);
    private final Transfer c = Transfer.get("c.bin", Path.of("out/c.bin"));

    private static Outcome ok(Transfer t, long size) {
        return new Outcome(t, Outcome.Status.OK, size, SOME_MD5, null, null, null, size, 0, Duration.ZERO);
    }

    /** As TransferDisplay reports: counted, then printed above the line. */
    private void report(BatchProgress batch, Outcome o) {
        batch.finished(o);
        line.above(() -> err.println(o.md5() + "  " + o.transfer().local()));
    }

    @Test
    void oneLineForTheWholeBatchWithResultsAboveAndTheTimeTakenAtTheEnd() {
        BatchProgress batch = new BatchProgress(line, List.of(a, b), clock::get);
        Progress pa = batch.of(a);
        Progress pb = batch.of(b);
        pa.start("dir/a.bin", 4 * MIB, 0);
        pb.start("dir/b.bin", 4 * MIB, 0);
        clock.set(SECOND);
        pa.advance(2 * MIB);
        clock.set(2 * SECOND);
        pb.advance(2 * MIB);
        assertThat(Screen.rows(sink.toString())).containsExactly("0/2 files  50% 4.0 MiB / 8.0 MiB 2.0 MiB/s ETA 0:02");

        pa.advance(4 * MIB);
        report(batch, ok(a, 4 * MIB));
        pb.note("resuming at 5 bytes");
        pb.advance(4 * MIB);
        report(batch, ok(b, 4 * MIB));
        clock.set(2 * SECOND + SECOND / 2);
        batch.end();

        assertThat(Screen.rows(sink.toString()))
                .containsExactly(
                        SOME_MD5 + "  out/a.bin",
                        "ft: dir/b.bin: resuming at 5 bytes",
                        SOME_MD5 + "  out/b.bin",
                        "2/2 files 100% 8.0 MiB in 0:02 at 3.2 MiB/s");
    }

    /** File a (4 MiB) starts at time zero and has moved 1 MiB one second later. */
    private void aMovesOneMiBInItsFirstSecond(BatchProgress batch) {
        batch.of(a).start("dir/a.bin", 4 * MIB, 0);
        clock.set(SECOND);
        batch.of(a).advance(MIB);
    }

    @Test
    void aFileOfUnknownSizeAddsItWhenItStartsAndUntilThenThereIsNoPercentage() {
        BatchProgress batch = new BatchProgress(line, List.of(a, c), clock::get);
        aMovesOneMiBInItsFirstSecond(batch);
        assertThat(Screen.frames(sink.toString()).getLast()).isEqualTo("0/2 files 1.0 MiB 1.0 MiB/s");

        clock.set(2 * SECOND);
        batch.of(c).start("c.bin", 4 * MIB, 2 * MIB);
        assertThat(Screen.frames(sink.toString()).getLast())
                .as("resumed bytes count as done, not as rate")
                .isEqualTo("0/2 files  37% 3.0 MiB / 8.0 MiB 512.0 KiB/s ETA 0:10");
    }

    @Test
    void aFailedFileLeavesTheTotalWithWhatItMovedSoTheLineCanStillFinish() {
        BatchProgress batch = new BatchProgress(line, List.of(a, b), clock::get);
        aMovesOneMiBInItsFirstSecond(batch);
        report(
                batch,
                Outcome.failed(
                        a, new ConnectionException(ConnectionException.CONNECTION_LOST, "lost", null), Duration.ZERO));
        batch.of(b).start("dir/b.bin", 4 * MIB, 0);
        clock.set(2 * SECOND);
        batch.of(b).advance(4 * MIB);
        report(batch, ok(b, 4 * MIB));
        batch.end();
        assertThat(Screen.rows(sink.toString()).getLast())
                .isEqualTo("2/2 files (1 failed) 100% 5.0 MiB in 0:02 at 2.5 MiB/s");
    }

    @Test
    void aLongHashShowsWhichFileAndHowFarAndAShortOneNothing() {
        Transfer up = Transfer.put(Path.of("big.iso"), "isos/big.iso");
        BatchProgress batch = new BatchProgress(line, List.of(up), clock::get);
        Progress p = batch.of(up);
        p.hashing("big.iso", MIB, 8 * MIB);
        assertThat(Screen.frames(sink.toString())).allSatisfy(f -> assertThat(f).doesNotContain("hashing"));
        clock.set(SECOND);
        p.hashing("big.iso", 4 * MIB, 8 * MIB);
        assertThat(Screen.frames(sink.toString()).getLast()).endsWith("hashing big.iso 50%");
        p.hashing("big.iso", 8 * MIB, 8 * MIB);
        assertThat(Screen.frames(sink.toString()).getLast())
                .as("gone as soon as it is done")
                .doesNotContain("hashing");
    }

    @Test
    void aBatchThatNeverDrewLeavesNothingBehind() {
        BatchProgress batch = new BatchProgress(line, List.of(a), clock::get);
        Outcome unchanged =
                new Outcome(a, Outcome.Status.UNCHANGED, 4 * MIB, SOME_MD5, null, null, null, 0, 0, Duration.ZERO);
        report(batch, unchanged);
        batch.end();
        assertThat(Screen.rows(sink.toString())).containsExactly(SOME_MD5 + "  out/a.bin");
    }
}
