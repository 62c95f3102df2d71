package ft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class StatusLineTest {
    private final StringWriter sink = new StringWriter();
    private final StatusLine line = new StatusLine(new PrintWriter(sink, true), () -> 40, "\u2026");

    @Test
    void neverDrawsIntoTheLastColumnsWhateverTheTextMakesOfTheRoom() {
        line.show((columns, ellipsis) -> "x".repeat(500));
        assertThat(sink.toString()).isEqualTo("\r" + "x".repeat(40 - StatusLine.RESERVED) + "\u001b[K");
    }

    @Test
    void atExitADrawnLineIsEndedAndNothingIsDrawnAfter() {
        line.show((columns, ellipsis) -> "50%");
        line.endAtExit();
        assertThat(sink.toString()).isEqualTo("\r50%\u001b[K" + System.lineSeparator());
        line.show((columns, ellipsis) -> "60%");
        line.note("too late");
        assertThat(sink.toString()).doesNotContain("60%").endsWith("ft: too late" + System.lineSeparator());
    }

    @Test
    void atExitWithNoLineDrawnNothingIsPrinted() {
        line.endAtExit();
        assertThat(sink.toString()).isEmpty();

        StatusLine ended = new StatusLine(new PrintWriter(sink, true), () -> 40, "\u2026");
        ended.show((columns, ellipsis) -> "100%");
        ended.end();
        String before = sink.toString();
        ended.endAtExit();
        assertThat(sink.toString()).isEqualTo(before);
    }

    @Test
    void linesPrintedAboveLeaveTheLineBelowThem() {
        line.show((columns, ellipsis) -> "1/3 files");
        line.above(() -> new PrintWriter(sink, true).println("d41d8cd98f00b204e9800998ecf8427e  a.txt"));
        line.replace((columns, ellipsis) -> "2/3 files");
        line.note("b.txt unchanged");
        assertThat(Screen.rows(sink.toString()))
                .containsExactly("d41d8cd98f00b204e9800998ecf8427e  a.txt", "ft: b.txt unchanged", "2/3 files");
    }

    /** Issue 14, finding 8: a note reaches the terminal through the shared rule (ft.protocol.Printable). */
    @Test
    void notesOnTheBarAndWithoutOneShowC1LineSeparatorsAndBidiControlsAsEscapes() {
        String sneaky = "a\u0085b\u2028c\u2029d\u202ee\u2066f\u009bg\u001bh";
        String shown = "a\\x85b\\u2028c\\u2029d\\u202ee\\u2066f\\x9bg\\x1bh";
        line.note(sneaky);
        StringWriter plain = new StringWriter();
        new Notes(new PrintWriter(plain, true)).note(sneaky);
        for (String out : new String[] {sink.toString(), plain.toString()}) {
            assertThat(out).contains("ft: " + shown);
            assertThat(out).doesNotContain("\u0085", "\u2028", "\u2029", "\u202e", "\u2066", "\u009b");
        }
        assertThat(Terminal.safe(sneaky)).isEqualTo(shown);
    }
}
