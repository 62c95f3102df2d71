package ft.protocol;

/** What a listed name is. Symlinks are reported as links, not as what they point to. */
public enum EntryType {
    FILE("file"),
    DIR("dir"),
    LINK("link"),
    OTHER("other");

    private final String wire;

    EntryType(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** Parses a wire name; unknown names are {@link #OTHER} so newer servers can add types. */
    public static EntryType fromWire(String name) {
        for (EntryType t : values()) {
            if (t.wire.equals(name)) {
                return t;
            }
        }
        return OTHER;
    }
}
