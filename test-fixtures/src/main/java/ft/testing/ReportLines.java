package ft.testing;

import java.util.List;

/** What the tests expect of {@code ft --json}: one JSON object per file, with these fields. */
public final class ReportLines {
    /** Every field of a report line, in the order ft writes them. */
    public static final List<String> FIELDS = List.of(
            "op",
            "remote",
            "local",
            "size",
            "md5",
            "status",
            "code",
            "message",
            "bytes_transferred",
            "resumed_from",
            "seconds");

    private ReportLines() {}
}
