package ft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ft.client.Progress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProgressBarTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long MIB = 1 << 20;
    /** 98 characters, like the name that once filled a whole screen with debris. */
    private static final String LONG_NAME = "reports/2024/quarterly-" + "x".repeat(60) + "-final-version.tar.gz";

    private final StringWriter sink = new StringWriter();
    private final PrintWriter err = new PrintWriter(sink, true);
    private final AtomicLong clock = new AtomicLong();

    private ProgressBar bar(int columns) {
        return new ProgressBar(new StatusLine(err, () -> columns, "\u2026"), clock::get);
    }

    @Test
    void drawsNamePercentBytesRateAndEtaOnOneRewrittenLine() {
        ProgressBar bar = bar(120);
        bar.start("big.iso", 4L << 30, 1L << 30);
        clock.set(2 * SECOND);
        bar.advance(2L << 30);
        assertThat(sink.toString())
                .startsWith("\rbig.iso  50% 2.0 GiB / 4.0 GiB 512.0 MiB/s ETA 0:04\u001b[K")
                .doesNotContain("\n");
    }

    @ParameterizedTest
    @ValueSource(ints = {40, 80, 200})
    void everyFrameFitsTheTerminalWithRoomToSpareAndKeepsTheNumbers(int columns) {
        ProgressBar bar = bar(columns);
        bar.start(LONG_NAME, 2L << 30, 0);
        for (int i = 1; i <= 20; i++) {
            clock.addAndGet(SECOND / 2);
            bar.advance(i * (2L << 30) / 20);
        }
        clock.addAndGet(SECOND / 2);
        bar.advance(2L << 30);
        bar.finish();

        List<String> frames = Screen.frames(sink.toString());
        assertThat(frames)
                .hasSizeGreaterThan(10)
                .allSatisfy(f -> assertThat(StatusText.columns(f)).isLessThanOrEqualTo(columns - StatusLine.RESERVED))
                .allSatisfy(f -> assertThat(f).containsPattern("\\d+%"));
        assertThat(frames.get(9)).contains(" 50% ").contains("ETA 0:");
        if (columns >= 80) {
            assertThat(frames.get(9)).contains("1.0 GiB / 2.0 GiB");
        }
        if (columns == 200) {
            assertThat(frames.get(9)).startsWith(LONG_NAME + " ");
        } else {
            // Shortened in the middle: both ends of the name stay recognisable.
            assertThat(frames.get(9)).startsWith("reports/").contains("\u2026").doesNotContain(LONG_NAME);
        }
        assertThat(Screen.rows(sink.toString())).as("one row, ended once").hasSize(1);
    }

    @Test
    void theFinalLineShowsTheTimeTakenNotAnEta() {
        ProgressBar bar = bar(80);
        bar.start("data.bin", 10 * MIB, 0);
        clock.set(SECOND);
        bar.advance(4 * MIB);
        clock.set(3 * SECOND + SECOND / 5);
        bar.advance(10 * MIB);
        bar.finish();
        List<String> frames = Screen.frames(sink.toString());
        assertThat(frames.getLast()).isEqualTo("data.bin 100% 10.0 MiB in 0:03 at 3.1 MiB/s");
        assertThat(sink.toString()).endsWith("\n");
    }

    @Test
    void aTransferCutShortEndsWithWhereItStopped() {
        ProgressBar bar = bar(80);
        bar.start("data.bin", 10 * MIB, 0);
        clock.set(62 * SECOND);
        bar.advance(5 * MIB);
        bar.finish();
        assertThat(Screen.frames(sink.toString()).getLast()).startsWith("data.bin  50% 5.0 MiB / 10.0 MiB in 1:02");
    }

    @Test
    void notesPrintAboveTheBarAndTheBarIsDrawnAgainBelow() {
        ProgressBar bar = bar(80);
        bar.start("data.bin", 10 * MIB, 0);
        clock.set(SECOND);
        bar.advance(MIB);
        bar.note("resuming at 5 bytes");
        List<String> rows = Screen.rows(sink.toString());
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).isEqualTo("ft: resuming at 5 bytes");
        assertThat(rows.get(1)).startsWith("data.bin  10% 1.0 MiB / 10.0 MiB");
    }

    @Test
    void hashingALargeFileShowsItsOwnLineAndASmallOneNone() {
        ProgressBar bar = bar(80);
        bar.hashing("small.txt", 100, 100);
        assertThat(sink.toString()).as("a quick hash draws nothing").isEmpty();

        long size = 2000 * MIB;
        for (int i = 1; i <= 9; i++) {
            clock.addAndGet(SECOND);
            bar.hashing("big.iso", i * size / 10, size);
        }
        assertThat(Screen.frames(sink.toString()).getLast())
                .startsWith("hashing big.iso  90% 1.8 GiB / 2.0 GiB")
                .contains("ETA 0:01");
        clock.addAndGet(SECOND);
        bar.hashing("big.iso", size, size);
        assertThat(Screen.rows(sink.toString())).containsExactly("hashing big.iso 100% 2.0 GiB in 0:09 at 200.0 MiB/s");

        bar.start("big.iso", size, 0);
        clock.addAndGet(SECOND);
        bar.advance(size / 2);
        assertThat(Screen.rows(sink.toString()))
                .as("the upload on a row of its own")
                .hasSize(2);
    }

    @Test
    void barOnlyWhenStderrIsATerminalAndNothingWhenQuiet() {
        FtCommand tty = new FtCommand(Map.of("FT_STDERR_TTY", "1"));
        assertThat(Notes.choose(tty, err)).isInstanceOf(ProgressBar.class);

        FtCommand pipe = new FtCommand(Map.of());
        assertThat(Notes.choose(pipe, err)).isInstanceOf(Notes.class);

        FtCommand quiet = new FtCommand(Map.of("FT_STDERR_TTY", "1"));
        quiet.quiet = true;
        Progress none = Notes.choose(quiet, err);
        none.note("resuming at 5 bytes");
        assertThat(none).isSameAs(Progress.NONE);
        assertThat(sink.toString()).isEmpty();
    }

    @Test
    void humanSizesInBinaryUnits() {
        assertThat(ProgressBar.bytes(512)).isEqualTo("512 B");
        assertThat(ProgressBar.bytes(1536)).isEqualTo("1.5 KiB");
        assertThat(ProgressBar.bytes(10L << 30)).isEqualTo("10.0 GiB");
    }
}
