package ft.cli;

import ft.client.Batch;
import ft.client.DigestJournal;
import ft.client.FtException;
import ft.client.Outcome;
import ft.client.Preserve;
import ft.client.Progress;
import ft.client.RemoteListing;
import ft.client.Transfer;
import ft.transfer.Throttle;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/** Options get and put share for running many transfers; mixed into both commands. */
final class BatchOptions {
    @Option(
            names = {"-j", "--jobs"},
            paramLabel = "N",
            defaultValue = "4",
            description = "Transfers to run at once, each over its own connection (default: ${DEFAULT-VALUE}).")
    int jobs;

    @Option(
            names = "--retries",
            paramLabel = "N",
            defaultValue = "3",
            description = "Retries per file after a dropped connection, BUSY or damaged bytes; "
                    + "each resumes where the last stopped (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--json", description = "One JSON object per file per line on stdout, nothing else there.")
    boolean json;

    @Option(
            names = "--fail-fast",
            description = "Start no new file after the first failure (those are reported " + "as skipped).")
    boolean failFast;

    @Option(names = "--no-clobber", description = "Never replace a destination file that differs.")
    boolean noClobber;

    @Option(
            names = {"-p", "--preserve"},
            description = "Keep each file's modification time and permission bits, "
                    + "like scp -p (-r keeps modification times anyway).")
    boolean preserve;

    @Option(
            names = "--limit-rate",
            paramLabel = "RATE",
            converter = ByteSizeConverter.class,
            description = "At most RATE bytes per second for the whole command, all files together: 500K, 20M, 1G.")
    Long limitRate;

    private static final Duration DEFAULT_FIRST_BACKOFF = Duration.ofMillis(500);

    /**
     * What a command hands over to be run.
     *
     * @param early     outcomes known before anything moves (specs that could not be planned,
     *                  entries skipped on purpose); reported first
     * @param batch     whether it is a batch (several files, a pattern, -r, -i) or one plain file
     * @param recursive whether it came from -r (which keeps modification times)
     * @param listing   what listings of the remote side showed before (see {@link RemoteListing})
     */
    record Plan(
            List<Outcome> early,
            List<Transfer> transfers,
            boolean batch,
            boolean recursive,
            boolean resume,
            RemoteListing listing) {
        Plan(List<Transfer> transfers, boolean batch, boolean recursive) {
            this(List.of(), transfers, batch, recursive, true, RemoteListing.NONE);
        }
    }

    /** Checks the options' values; a bad one is a usage error. */
    void check(FtCommand ft) {
        if (jobs < 1 || jobs > 64) {
            throw ft.usage("--jobs must be between 1 and 64");
        }
        if (retries < 0) {
            throw ft.usage("--retries must not be negative");
        }
        if (limitRate != null && limitRate < 1) {
            throw ft.usage("--limit-rate must be at least 1 byte per second");
        }
    }

    Throttle throttle() {
        return limitRate == null ? Throttle.NONE : Throttle.of(limitRate);
    }

    Preserve preserve(boolean recursive) {
        return preserve ? Preserve.TIMES_AND_MODE : recursive ? Preserve.TIMES : Preserve.NOTHING;
    }

    /** Runs the plan and returns the exit code. */
    int run(FtCommand ft, PrintWriter out, PrintWriter err, Plan plan, Progress single)
            throws FtException, InterruptedException {
        check(ft);
        Reporter reporter = new Reporter(out, err, json, ft.quiet);
        if (failFast && plan.early().stream().anyMatch(Outcome::failed)) {
            plan.early().forEach(reporter);
            plan.transfers().forEach(t -> reporter.accept(Outcome.skipped(t, Batch.NOT_STARTED)));
            return reporter.exitCode();
        }
        TransferDisplay display = TransferDisplay.choose(ft, err, plan.transfers(), plan.batch(), single);
        Consumer<Outcome> reporting = display.reporting(reporter);
        plan.early().forEach(reporting);
        try (DigestJournal journal = DigestJournal.openLazily(DigestJournal.defaultLocation(ft.env()))) {
            Batch.Options options = new Batch.Options(
                    jobs,
                    retries,
                    firstBackoff(ft),
                    failFast,
                    noClobber,
                    plan.resume(),
                    preserve(plan.recursive()),
                    throttle());
            new Batch(ft::connect, options, journal, display::progressFor, reporting)
                    .withListing(plan.listing())
                    .run(plan.transfers());
        } finally {
            display.end();
        }
        if (plan.batch()) {
            reporter.summary();
        }
        return reporter.exitCode();
    }

    /** Backoff before the first retry, doubling each time; FT_RETRY_BACKOFF_MS tunes it. */
    static Duration firstBackoff(FtCommand ft) {
        String ms = ft.env().get("FT_RETRY_BACKOFF_MS");
        try {
            return ms == null ? DEFAULT_FIRST_BACKOFF : Duration.ofMillis(Math.max(0, Long.parseLong(ms)));
        } catch (NumberFormatException e) {
            throw ft.usage("FT_RETRY_BACKOFF_MS must be a number of milliseconds");
        }
    }
}
