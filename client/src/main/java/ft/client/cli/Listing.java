package ft.client.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ft.protocol.EntryType;
import ft.protocol.ListItem;
import ft.protocol.Response;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How ls and stat print entries: short, long ({@code -l}) or JSON Lines. */
final class Listing {
    private static final DateTimeFormatter LONG_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT).withZone(ZoneId.systemDefault());

    private Listing() {}

    static String shortForm(ListItem.Entry e) {
        String name = Terminal.safe(e.path());
        return e.type() == EntryType.DIR ? name + "/" : name;
    }

    static String longForm(ListItem.Entry e) {
        char type = switch (e.type()) {
            case DIR -> 'd';
            case LINK -> 'l';
            case FILE -> '-';
            case OTHER -> '?';
        };
        return String.format(Locale.ROOT, "%c %14d %s %s", type, e.size(), LONG_TIME.format(Instant.ofEpochMilli(e.mtime())),
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
}
