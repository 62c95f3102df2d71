package ft.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ft.protocol.EntryType;
import ft.protocol.ListItem;
import ft.protocol.Response;
import ft.transfer.ByteSize;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How ls prints entries: short, long ({@code -l}, with {@code -h} human sizes) or JSON Lines. */
final class Listing {
    private static final DateTimeFormatter LONG_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT).withZone(ZoneId.systemDefault());

    private Listing() {}

    enum Format {
        SHORT,
        LONG,
        LONG_HUMAN,
        JSON;

        String line(ListItem.Entry e) {
            return switch (this) {
                case SHORT -> shortForm(e);
                case LONG -> longForm(e, String.valueOf(e.size()), 14);
                case LONG_HUMAN -> longForm(e, e.type() == EntryType.FILE ? ByteSize.format(e.size()) : "-", 10);
                case JSON -> json(e);
            };
        }
    }

    static String shortForm(ListItem.Entry e) {
        String name = Terminal.safe(e.path());
        return e.type() == EntryType.DIR ? name + "/" : name;
    }

    private static String longForm(ListItem.Entry e, String size, int width) {
        char type = switch (e.type()) {
            case DIR -> 'd';
            case LINK -> 'l';
            case FILE -> '-';
            case OTHER -> '?';
        };
        return String.format(
                Locale.ROOT,
                "%c %" + width + "s %s %s",
                type,
                size,
                LONG_TIME.format(Instant.ofEpochMilli(e.mtime())),
                shortForm(e));
    }

    static String json(ListItem.Entry e) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("name", e.path());
        o.put("type", e.type().wire());
        o.put("size", e.size());
        o.put("mtime", Instant.ofEpochMilli(e.mtime()).toString());
        return o.toString();
    }

    static ListItem.Entry entryOf(Response.StatOk stat) {
        return new ListItem.Entry(stat.name(), stat.type(), stat.size(), stat.mtime());
    }

    /** A find entry (a root-relative path) as a path relative to the directory listed. */
    static ListItem.Entry relativeTo(String dir, ListItem.Entry e) {
        String p = e.path();
        if (!dir.isEmpty() && p.startsWith(dir + "/")) {
            p = p.substring(dir.length() + 1);
        }
        return new ListItem.Entry(p, e.type(), e.size(), e.mtime());
    }
}
