package ft.cli;

import ft.client.Outcome;
import ft.client.Progress;
import ft.client.Transfer;
import java.io.PrintWriter;
import java.util.List;
import java.util.function.Consumer;

/**
 * What stderr shows while get or put runs: nothing with {@code -q}; plain notes when stderr is
 * not a terminal; on a terminal, one {@link StatusLine} — a {@link ProgressBar} for a single
 * file, one {@link BatchProgress} line for a batch — with every reported result printed above it.
 */
final class TransferDisplay {
    private final StatusLine line;
    private final BatchProgress aggregate;
    private final Progress single;
    /** Notes per file when stderr is not a terminal, else null. */
    private final PrintWriter notes;

    private TransferDisplay(StatusLine line, BatchProgress aggregate, Progress single, PrintWriter notes) {
        this.line = line;
        this.aggregate = aggregate;
        this.single = single;
        this.notes = notes;
    }

    /**
     * The display for {@code transfers}; {@code single} is what a command that moves one file
     * chose ({@link Notes#choose}), used when {@code batch} is false.
     */
    static TransferDisplay choose(
            FtCommand ft, PrintWriter err, List<Transfer> transfers, boolean batch, Progress single) {
        if (ft.quiet) {
            return new TransferDisplay(null, null, Progress.NONE, null);
        }
        if (!Notes.onTerminal(ft)) {
            return new TransferDisplay(null, null, single, batch ? err : null);
        }
        StatusLine line = single instanceof ProgressBar bar ? bar.line() : StatusLine.onStderr(err, ft.env());
        return new TransferDisplay(line, batch ? new BatchProgress(line, transfers) : null, single, null);
    }

    /** What transfer {@code t} reports its progress and notes to. */
    Progress progressFor(Transfer t) {
        if (aggregate != null) {
            return aggregate.of(t);
        }
        return notes != null ? Notes.naming(notes, t) : single;
    }

    /** {@code report}, with results printed above the line and counted on it. */
    Consumer<Outcome> reporting(Consumer<Outcome> report) {
        if (line == null) {
            return report;
        }
        return o -> {
            if (aggregate != null) {
                aggregate.finished(o);
            }
            line.above(() -> report.accept(o));
        };
    }

    /** The transfers are over: the line is left with its totals, and whatever follows starts below it. */
    void end() {
        if (aggregate != null) {
            aggregate.end();
        } else if (line != null) {
            line.end();
        }
    }
}
