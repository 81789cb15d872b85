package dev.aegis.waf;

/** One inspected value with its target name, kind bits, byte-class mask and lazily computed transformed views. */
final class Value {
    // kinds
    static final int PATH = 1;
    static final int URI = 1 << 1;
    static final int ARG = 1 << 2;
    static final int ARG_NAME = 1 << 3;
    static final int COOKIE = 1 << 4;
    static final int COOKIE_NAME = 1 << 5;
    static final int HEADER = 1 << 6;
    static final int UA = 1 << 7;
    static final int REFERER = 1 << 8;
    static final int BODY = 1 << 9;
    static final int FILE = 1 << 10;
    static final int XHDR = 1 << 11;
    static final int HEADER_NAME = 1 << 12;
    /**
     * Not a kind of target but a mark on a value {@link Targets} decoded from base64 next to the value it came from.
     * No built-in rule's kinds include it; custom rules skip such values, as they decode only when told to.
     */
    static final int DECODED = 1 << 13;

    // byte classes
    static final int C_PCT = 1;
    static final int C_LT = 1 << 1;
    static final int C_GT = 1 << 2;
    static final int C_QUOTE = 1 << 3;
    static final int C_PAREN = 1 << 4;
    static final int C_SEMI = 1 << 5;
    static final int C_PIPE = 1 << 6;
    static final int C_AMP = 1 << 7;
    static final int C_DOLLAR = 1 << 8;
    static final int C_BRACE = 1 << 9;
    static final int C_SLASH = 1 << 10;
    static final int C_DOT = 1 << 11;
    static final int C_COLON = 1 << 12;
    static final int C_EQ = 1 << 13;
    static final int C_CTRL = 1 << 14;
    static final int C_HIGH = 1 << 15;
    static final int C_HASH = 1 << 16;
    static final int C_STAR = 1 << 17;
    static final int C_BRACKET = 1 << 18;
    static final int C_OTHER = 1 << 19;
    static final int C_SPACE = 1 << 20;
    static final int C_DIGIT = 1 << 21;
    static final int C_ALPHA = 1 << 22;
    static final int C_BSLASH = 1 << 23;
    static final int C_PLUS = 1 << 24;
    static final int C_DASH = 1 << 25;
    static final int C_COMMA = 1 << 26;
    static final int C_AT = 1 << 27;
    static final int C_QMARK = 1 << 28;
    static final int C_BANG = 1 << 29;
    /** Punctuation without a class of its own, and the ones split out of it later (for triggers written before). */
    static final int C_OTHER_ANY = C_OTHER | C_COMMA | C_AT | C_QMARK | C_BANG;
    /** Classes that may hide any other character once decoded. */
    static final int C_ENCODED = C_PCT | C_AMP | C_HIGH | C_BSLASH | C_PLUS;
    static final int C_ANY = -1;

    private static final int[] CLASS = new int[256];

    static {
        for (int c = 0; c < 256; c++) {
            int k;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_') {
                k = C_ALPHA;
            } else if (c >= '0' && c <= '9') {
                k = C_DIGIT;
            } else if (c < 0x20 || c == 0x7F) {
                k = C_CTRL;
            } else if (c >= 0x80) {
                k = C_HIGH;
            } else {
                k = switch (c) {
                    case '%' -> C_PCT;
                    case '<' -> C_LT;
                    case '>' -> C_GT;
                    case '\'', '"', '`' -> C_QUOTE;
                    case '(', ')' -> C_PAREN;
                    case ';' -> C_SEMI;
                    case '|' -> C_PIPE;
                    case '&' -> C_AMP;
                    case '$' -> C_DOLLAR;
                    case '{', '}' -> C_BRACE;
                    case '/' -> C_SLASH;
                    case '\\' -> C_BSLASH;
                    case '.' -> C_DOT;
                    case ':' -> C_COLON;
                    case '=' -> C_EQ;
                    case '#' -> C_HASH;
                    case '*' -> C_STAR;
                    case '[', ']' -> C_BRACKET;
                    case ' ' -> C_SPACE;
                    case '+' -> C_PLUS;
                    case '-' -> C_DASH;
                    case ',' -> C_COMMA;
                    case '@' -> C_AT;
                    case '?' -> C_QMARK;
                    case '!' -> C_BANG;
                    default -> C_OTHER;
                };
            }
            CLASS[c] = k;
        }
    }

    /**
     * The target's name is its collection ({@code REQUEST_HEADERS:}) and member ({@code User-Agent}), joined only
     * when a match or a custom rule asks for it: a clean value never builds it.
     */
    private final String collection;
    private final String member;
    private String name;
    final int kind;
    final String raw;
    /** Byte classes of the raw value, and of raw and decoded together (what the prefilter tests). */
    final int rawClasses;
    final int classes;
    private final Transforms.Flags flags;
    private String dec;
    private String low;
    private String path;
    private String shell;
    private String jndi;
    private String decLower;
    /** Per view (ordinal of {@link Rules.View}): the prefilter groups with a literal in that view, lazily. */
    private long[][] hits;
    /**
     * Every view but {@link Rules.View#PATH} is the raw value lower-cased: nothing to decode, unescape, unquote or
     * compress. The prefilter then scans the raw value once, folding case as it reads, for all those views, and
     * builds none of them.
     */
    private final boolean plain;
    /** {@link #plain}, and path normalisation has nothing to do either ({@code \}, {@code //}, {@code /./}). */
    private final boolean pathPlain;
    /** For a {@link #plain} value: the prefilter groups with a literal in the raw value, lazily. */
    private long[] rawHits;
    /** The automaton {@link #hits} and {@link #rawHits} were found with (one per paranoia level and family). */
    private LiteralScanner hitsScanner;

    /** Classes a value may not have to be {@link #plain}: each makes some view differ from the raw value. */
    private static final int NOT_PLAIN = C_ENCODED | C_CTRL | C_QUOTE | C_DOLLAR;

    Value(String name, int kind, String raw, Transforms.Flags flags) {
        this(name, "", kind, raw, flags);
    }

    Value(String collection, String member, int kind, String raw, Transforms.Flags flags) {
        this.collection = collection;
        this.member = member;
        this.kind = kind;
        this.raw = raw == null ? "" : raw;
        this.flags = flags;
        String r = this.raw;
        int m = classesOf(r);
        this.rawClasses = m;
        // Whether a transformation would change anything: a caret or a space run for the lower-cased views, a
        // doubled slash or a "/./" for the path view (looked for only when the classes allow them).
        this.plain = (m & NOT_PLAIN) == 0 && ((m & C_OTHER) == 0 || r.indexOf('^') < 0)
                && ((m & C_SPACE) == 0 || !r.contains("  "));
        this.pathPlain = plain && ((m & C_SLASH) == 0 || !r.contains("//") && !r.contains("/./"));
        if ((m & C_ENCODED) != 0) {
            // What the detectors read is decoded: the prefilter must see the decoded characters too.
            m |= classesOf(dec());
        }
        this.classes = m;
    }

    /** The target's name, as matches, exclusions and the audit log name it ({@code ARGS:q}). */
    String name() {
        String n = name;
        if (n == null) {
            n = member.isEmpty() ? collection : collection.concat(member);
            name = n;
        }
        return n;
    }

    /** Whether the name equals {@code full} ignoring case, without building the name. */
    boolean nameEqualsIgnoreCase(String full) {
        int c = collection.length();
        return full.length() == c + member.length() && full.regionMatches(true, 0, collection, 0, c)
                && full.regionMatches(true, c, member, 0, member.length());
    }

    /** Whether the name contains {@code text} (which holds no ':'), without building the name. */
    boolean nameContains(String text) {
        return collection.contains(text) || member.contains(text);
    }

    /** Whether every view but the path is the raw value lower-cased (nothing to decode, unquote or compress). */
    boolean plain() {
        return plain;
    }

    /** Whether the name starts with {@code prefix}, without building the name. */
    boolean nameStartsWith(String prefix) {
        return collection.length() >= prefix.length() ? collection.startsWith(prefix) : name().startsWith(prefix);
    }

    /** The byte class of one character. */
    static int classOf(char c) {
        return c > 0xFF ? C_HIGH : CLASS[c];
    }

    static int classesOf(String s) {
        int m = 0;
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            m |= c > 0xFF ? C_HIGH : CLASS[c];
        }
        return m;
    }

    boolean has(int cls) {
        return (rawClasses & cls) != 0;
    }

    /** Fully decoded: URL-decoded (repeated), HTML entities, backslash escapes, NULs removed. */
    String dec() {
        String d = dec;
        if (d == null) {
            d = raw;
            if ((rawClasses & C_ENCODED) != 0) {
                d = Transforms.urlDecodeRepeat(d, 3, flags);
                d = Transforms.htmlDecode(d);
                d = Transforms.unescape(d);
                if (d.indexOf('%') >= 0) {
                    d = Transforms.urlDecodeRepeat(d, 2, flags);
                }
            }
            d = Transforms.removeNulls(d);
            if ((rawClasses & (C_HIGH | C_PCT | C_AMP | C_BSLASH)) != 0) {
                d = Transforms.foldFullwidth(d);
            }
            dec = d;
        }
        return d;
    }

    /** {@link #dec()} lower-cased with whitespace compressed. */
    String low() {
        String l = low;
        if (l == null) {
            l = Transforms.lowerCompress(dec());
            low = l;
        }
        return l;
    }

    /** {@link #low()} with path normalisation. */
    String path() {
        String p = path;
        if (p == null) {
            p = (classes & (C_SLASH | C_BSLASH)) == 0 ? low() : Transforms.normalizePath(low());
            path = p;
        }
        return p;
    }

    /** {@link #low()} with shell normalisation. */
    String shell() {
        String s = shell;
        if (s == null) {
            String l = low();
            s = (classes & (C_QUOTE | C_BSLASH | C_DOLLAR)) == 0 && l.indexOf('^') < 0 ? l : Transforms.shell(l);
            shell = s;
        }
        return s;
    }

    /** {@link #low()} with log4j lookups de-obfuscated. */
    String jndi() {
        String j = jndi;
        if (j == null) {
            j = low().indexOf("${") >= 0 ? Transforms.jndi(low()) : low();
            jndi = j;
        }
        return j;
    }

    /** {@link #dec()} lower-cased (no whitespace compression). */
    String decLower() {
        String d = decLower;
        if (d == null) {
            String dv = dec();
            String l = low();
            // Without control or non-ASCII characters, low() only differs from this by compressed space runs.
            d = (classes & (C_CTRL | C_HIGH)) == 0 && l.length() == dv.length() ? l : dv.toLowerCase(java.util.Locale.ROOT);
            decLower = d;
        }
        return d;
    }

    /** Whether prefilter group {@code group} has a literal in {@code view} of this value. */
    boolean hit(LiteralScanner scanner, Rules.View view, int group) {
        long[] bits = hits(scanner, view);
        return (bits[group >>> 6] & (1L << group)) != 0;
    }

    /** The prefilter groups with a literal in {@code view} of this value (scanned on first use). */
    long[] hits(LiteralScanner scanner, Rules.View view) {
        if (scanner != hitsScanner) {
            // hits of another automaton (another paranoia level) say nothing about this one's groups
            hits = null;
            rawHits = null;
            hitsScanner = scanner;
        }
        if (view == Rules.View.RAW || plain && (pathPlain || view != Rules.View.PATH)) {
            long[] bits = rawHits;
            if (bits == null) {
                bits = new long[scanner.words];
                // the scanner folds case: for a plain value, the same hits as in the lower-cased views
                scanner.scan(raw, bits);
                rawHits = bits;
            }
            return bits;
        }
        long[][] h = hits;
        if (h == null) {
            h = new long[Rules.View.COUNT][];
            hits = h;
        }
        int vi = view.ordinal();
        long[] bits = h[vi];
        if (bits == null) {
            String text = view.of(this);
            // Most views of a plain value are the very same string: scan it once.
            for (int other = 0; other < h.length && bits == null; other++) {
                if (h[other] != null && Rules.View.VALUES[other].of(this) == text) {
                    bits = h[other];
                }
            }
            if (bits == null && text == raw) {
                bits = rawHits; // a view that is the raw value itself (the scanner folds case either way)
            }
            if (bits == null) {
                bits = new long[scanner.words];
                scanner.scan(text, bits);
                if (text == raw) {
                    rawHits = bits;
                }
            }
            h[vi] = bits;
        }
        return bits;
    }

    @Override
    public String toString() {
        return name() + "=" + raw;
    }
}
