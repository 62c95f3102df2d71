package ft.client.cli;

import ft.client.Batch;
import ft.client.DigestJournal;
import ft.client.FtException;
import ft.client.Outcome;
import ft.client.Progress;
import ft.client.RemoteListing;
import ft.client.Transfer;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/** Options get and put share for running many transfers; mixed into both commands. */
final class BatchOptions {
    @Option(names = {"-j", "--jobs"}, paramLabel = "N", defaultValue = "4",
            description = "Transfers to run at once, each over its own connection (default: ${DEFAULT-VALUE}).")
    int jobs;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "3",
            description = "Retries per file after a dropped connection, BUSY or damaged bytes; "
                    + "each resumes where the last stopped (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--json", description = "One JSON object per file per line on stdout, nothing else there.")
    boolean json;

    @Option(names = "--fail-fast", description = "Stop starting new files after the first failure.")
    boolean failFast;

    @Option(names = "--no-clobber", description = "Never replace a destination file that differs.")
    boolean noClobber;

    private static final Duration DEFAULT_FIRST_BACKOFF = Duration.ofMillis(500);

    /** Runs the transfers and returns the exit code. */
    int run(FtCommand ft, PrintWriter out, PrintWriter err, List<Transfer> transfers, boolean batch, boolean resume,
            Progress single) throws FtException, InterruptedException {
        return run(ft, out, err, List.of(), transfers, batch, resume, single);
    }

    /** As above, first reporting {@code failedEarly}: specs that could not even be planned. */
    int run(FtCommand ft, PrintWriter out, PrintWriter err, List<Outcome> failedEarly, List<Transfer> transfers,
            boolean batch, boolean resume, Progress single) throws FtException, InterruptedException {
        return run(ft, out, err, failedEarly, transfers, batch, resume, single, RemoteListing.NONE);
    }

    /** As above, with what listings of the remote side showed before the batch (see {@link RemoteListing}). */
    int run(FtCommand ft, PrintWriter out, PrintWriter err, List<Outcome> failedEarly, List<Transfer> transfers,
            boolean batch, boolean resume, Progress single, RemoteListing listing)
            throws FtException, InterruptedException {
        if (jobs < 1 || jobs > 64) {
            throw new picocli.CommandLine.ParameterException(ft.spec.commandLine(), "--jobs must be between 1 and 64");
        }
        if (retries < 0) {
            throw new picocli.CommandLine.ParameterException(ft.spec.commandLine(), "--retries must not be negative");
        }
        Reporter reporter = new Reporter(out, err, json, ft.quiet);
        failedEarly.forEach(reporter);
        if (failFast && !failedEarly.isEmpty()) {
            return reporter.exitCode();
        }
        TransferDisplay display = TransferDisplay.choose(ft, err, transfers, batch, single);
        try (DigestJournal journal = DigestJournal.openLazily(DigestJournal.defaultLocation(ft.env()))) {
            Batch.Options options = new Batch.Options(jobs, retries, firstBackoff(ft), failFast, noClobber, resume);
            new Batch(ft::connect, options, journal, display::progressFor, display.reporting(reporter))
                    .withListing(listing).run(transfers);
        } finally {
            display.end();
        }
        if (batch) {
            reporter.summary();
        }
        return reporter.exitCode();
    }

    /** Backoff before the first retry, doubling each time; FT_RETRY_BACKOFF_MS tunes it. */
    private static Duration firstBackoff(FtCommand ft) {
        String ms = ft.env().get("FT_RETRY_BACKOFF_MS");
        try {
            return ms == null ? DEFAULT_FIRST_BACKOFF : Duration.ofMillis(Math.max(0, Long.parseLong(ms)));
        } catch (NumberFormatException e) {
            throw new picocli.CommandLine.ParameterException(ft.spec.commandLine(),
                    "FT_RETRY_BACKOFF_MS must be a number of milliseconds");
        }
    }
}
