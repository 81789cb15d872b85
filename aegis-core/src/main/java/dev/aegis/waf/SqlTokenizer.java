package dev.aegis.waf;

/** The SQL tokenizer behind {@link SqlInjection}: turns a value into a folded sequence of token types. */
final class SqlTokenizer {
    private SqlTokenizer() {
    }

    // flags carried in Tokens.sub
    static final int F_ORDERGROUP = 1;
    static final int F_ALLDIST = 2;
    static final int F_INTO = 4;
    static final int F_WAITFOR = 8;
    static final int F_NOT = 16;
    static final int F_UNARY = 32;
    static final int F_WEAK = 64;
    static final int F_STRONG = 128;
    static final int F_BY = 256;
    static final int F_FILE = 512;
    static final int F_DELAY = 1024;
    static final int F_SHUTDOWN = 2048;
    static final int F_CMP = 4096;
    static final int F_FROM = 8192;
    static final int F_OBJ = 16384;
    static final int F_WORDOP = 32768;

    // word classes in the keyword table: 'F' function when called, 'Z' evil when called, else a token type
    private static final int TABLE_SIZE = 1024;
    private static final String[] KEYS = new String[TABLE_SIZE];
    private static final char[] KTYPE = new char[TABLE_SIZE];
    private static final int[] KFLAGS = new int[TABLE_SIZE];

    static {
        add('U', 0, "union");
        add('E', 0, "select");
        add('T', 0, "insert", "delete", "update", "exec", "execute", "declare", "drop", "create", "alter",
                "truncate", "merge", "grant", "revoke", "call");
        add('T', F_SHUTDOWN, "shutdown");
        add('T', F_WAITFOR, "waitfor");
        add('&', 0, "and", "or", "xor");
        add('o', F_NOT | F_UNARY, "not");
        add('o', F_CMP | F_WORDOP, "like", "rlike", "regexp", "sounds", "between", "glob", "similar", "ilike");
        add('o', F_WORDOP, "div", "mod");
        add('k', F_WEAK, "is", "in", "as", "on", "set", "end", "case", "when", "then", "else", "top",
                "values", "exists", "join", "escape", "using", "asc", "desc");
        add('k', F_STRONG, "collate", "where", "procedure");
        add('k', F_INTO | F_OBJ, "into");
        add('k', F_FROM | F_OBJ | F_WEAK, "from");
        add('k', F_OBJ | F_WEAK, "table", "database");
        add('k', F_ALLDIST, "all", "distinct");
        add('n', F_ORDERGROUP, "order", "group");
        add('n', F_BY, "by");
        add('n', F_FILE, "outfile", "dumpfile");
        add('n', F_DELAY, "delay", "time");
        add('B', 0, "having", "limit", "offset");
        add('1', 0, "null", "true", "false");
        add('F', 0, "char", "chr", "concat", "concat_ws", "ascii", "ord", "substring", "substr", "mid", "if",
                "ifnull", "iif", "count", "cast", "convert", "version", "user", "database", "schema", "current_user",
                "system_user", "session_user", "md5", "sha1", "sha2", "hex", "unhex", "length", "len", "floor",
                "rand", "group_concat", "lower", "upper", "elt", "make_set", "exp", "row", "json_extract",
                "name_const", "nullif", "coalesce", "char_length", "bin", "conv", "instr", "locate", "reverse",
                "ltrim", "rtrim", "db_name", "user_name", "suser_name", "suser_sname", "is_srvrolemember",
                "object_id", "col_name", "replace", "space", "repeat", "strcmp", "find_in_set", "position",
                "unicode", "nchar", "quotename", "to_char", "decode", "xmltype", "sqlite_version",
                "current_database", "string_agg", "array_agg", "least", "greatest", "abs", "now", "sysdate",
                "hash", "crc32", "uuid", "connection_id", "last_insert_id", "found_rows", "row_count", "soundex",
                "export_set", "bit_length", "octet_length", "ceil", "ceiling", "sign", "char_length", "pi",
                "json_keys", "st_latfromgeohash", "st_longfromgeohash", "exists", "case", "nvl", "instrb",
                "substrb", "lpad", "rpad", "trim", "format", "sum", "min", "max", "avg", "cot", "sin", "cos",
                "typeof", "zeroblob", "isnull", "sqlite_compileoption_get", "unistr", "dbms_random.value", "pg_typeof", "current_setting");
        add('Z', 0, "sleep", "benchmark", "pg_sleep", "extractvalue", "updatexml", "load_file", "xp_cmdshell",
                "randomblob", "sys_eval", "sys_exec", "geometrycollection", "multipoint", "polygon", "multipolygon",
                "linestring", "multilinestring", "gtid_subset", "gtid_subtract", "openrowset", "opendatasource",
                "openquery", "pg_read_file", "pg_ls_dir", "lo_import", "lo_export", "xp_dirtree", "xp_regread",
                "xp_fileexist", "xp_servicecontrol", "sp_oacreate", "sp_executesql", "sp_makewebtask",
                "sp_addlogin", "sp_password", "dbms_pipe.receive_message", "utl_inaddr.get_host_name",
                "utl_inaddr.get_host_address", "utl_http.request", "dbms_lock.sleep", "ctxsys.drithsx.sn",
                "dbms_xmlgen.getxml", "dbms_utility.sqlid_to_sqlhash", "dblink", "dblink_connect",
                "dbms_java.runjava", "sys.fn_sqlvarbasetostr", "fn_xe_file_target_read_file", "load_extension",
                "json_object_extract");
        add('X', 0, "information_schema.tables", "information_schema.columns", "information_schema.schemata",
                "information_schema.processlist", "sysobjects", "syscolumns", "sqlite_master", "pg_shadow",
                "mysql.user", "master..sysdatabases", "master.dbo.sysdatabases", "sys.databases", "all_tables",
                "user_tables", "msysobjects", "msysaccessobjects", "pg_database", "sys.sql_logins",
                "master..sysxlogins", "pg_user", "sys.tables", "sys.objects", "sys.columns", "all_tab_columns",
                "user_tab_columns", "sqlite_schema", "xp_cmdshell", "information_schema", "pg_catalog");
    }

    private static void add(char type, int flags, String... words) {
        for (String w : words) {
            int h = hash(w, 0, w.length()) & (TABLE_SIZE - 1);
            while (KEYS[h] != null && !KEYS[h].equals(w)) {
                h = (h + 1) & (TABLE_SIZE - 1);
            }
            KEYS[h] = w;
            KTYPE[h] = type;
            KFLAGS[h] = flags;
        }
    }

    private static int hash(CharSequence s, int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) {
            h = h * 31 + lower(s.charAt(i));
        }
        return h ^ (h >>> 11);
    }

    private static boolean eqIgnoreCase(CharSequence s, int from, int to, String lower) {
        if (to - from != lower.length()) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (lower(s.charAt(i)) != lower.charAt(i - from)) {
                return false;
            }
        }
        return true;
    }

    private static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
    }

    /** Index of the keyword in the table, or -1. */
    private static int lookup(CharSequence s, int from, int to) {
        int len = to - from;
        if (len < 2 || len > 40) {
            return -1;
        }
        int h = hash(s, from, to) & (TABLE_SIZE - 1);
        while (KEYS[h] != null) {
            String k = KEYS[h];
            if (k.length() == len) {
                boolean eq = true;
                for (int i = 0; i < len; i++) {
                    if (lower(s.charAt(from + i)) != k.charAt(i)) {
                        eq = false;
                        break;
                    }
                }
                if (eq) {
                    return h;
                }
            }
            h = (h + 1) & (TABLE_SIZE - 1);
        }
        return -1;
    }

    private static boolean isWordStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$'
                || c >= 128 && Character.isLetterOrDigit(c);
    }

    private static boolean isWordChar(char c) {
        return isWordStart(c) || (c >= '0' && c <= '9') || c == '.';
    }

    private static boolean isSpace(char c) {
        return c <= ' ' || c == 0x7F || c >= 128 && !Character.isLetterOrDigit(c);
    }

    private static boolean twoCharOp(char c, char d) {
        return (d == '=' && (c == '<' || c == '>' || c == '!' || c == ':' || c == '='))
                || (c == '<' && (d == '>' || d == '<')) || (c == '>' && d == '>');
    }

    private static boolean isOpChar(char c) {
        return c == '=' || c == '<' || c == '>' || c == '!' || c == '|' || c == '&' || c == '^' || c == '~'
                || c == '+' || c == '-' || c == '*' || c == '/' || c == '%' || c == ':';
    }

    /** Index of the closing quote of a string whose content starts at {@code p}, or {@code len}. */
    private static int closeQuote(CharSequence s, int p, int len, char q) {
        for (int i = p; i < len; i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == q) {
                return i;
            }
        }
        return len;
    }

    /** State of the folding while tokens are pushed. */
    private static final class Folder {
        final SqlInjection.Tokens t;
        int commentStart = -1;
        int commentEnd;
        int commentKind;
        boolean absorbing;
        boolean full;

        Folder(SqlInjection.Tokens t) {
            this.t = t;
        }

        void push(char type, int start, int end, int sub) {
            commentStart = -1;
            SqlInjection.Tokens t = this.t;
            int n = t.n;
            char prev = n > 0 ? t.type[n - 1] : 0;
            int prevSub = n > 0 ? t.sub[n - 1] : 0;
            if (n > 0) {
                if (type == ')' && absorbing) {
                    return;
                }
                absorbing = false;
                boolean merge = false;
                if ((sub & F_BY) != 0 && (prevSub & F_ORDERGROUP) != 0) {
                    t.type[n - 1] = 'B';
                    t.sub[n - 1] = F_STRONG;
                    t.end[n - 1] = end;
                    return;
                } else if ((sub & F_ALLDIST) != 0 && prev == 'U') {
                    merge = true;
                } else if ((sub & F_FILE) != 0 && (prevSub & F_INTO) != 0) {
                    t.type[n - 1] = 'X';
                    t.end[n - 1] = end;
                    return;
                } else if ((sub & F_DELAY) != 0 && (prevSub & F_WAITFOR) != 0) {
                    t.type[n - 1] = 'X';
                    t.end[n - 1] = end;
                    return;
                } else if ((sub & F_UNARY) != 0 && "o&(,EUkB;T".indexOf(prev) >= 0) {
                    return; // unary operator (or NOT) after an operator: drop
                } else if (type == 'n' && prev == 'n' && (prevSub & F_ORDERGROUP) == 0
                        || type == '(' && prev == '(' || type == ')' && prev == ')') {
                    merge = true;
                } else if (type == 'o' && prev == 'o' || type == '&' && prev == '&' || type == 's' && prev == 's') {
                    merge = true;
                }
                if (merge) {
                    t.end[n - 1] = end;
                    t.sub[n - 1] |= sub & ~(F_ORDERGROUP | F_BY);
                    return;
                }
            } else if ((sub & F_UNARY) != 0) {
                return; // leading sign
            }
            if (n >= SqlInjection.MAX_TOKENS) {
                full = true;
                return;
            }
            t.type[n] = type;
            t.start[n] = start;
            t.end[n] = end;
            t.sub[n] = sub;
            t.n = n + 1;
            if (n == 0 && (type == 's' || type == '1' || type == 'n' || type == 'v')) {
                absorbing = true;
            }
        }

        void comment(int start, int end, int kind) {
            commentStart = start;
            commentEnd = end;
            commentKind = kind;
        }

        void finish() {
            if (commentStart >= 0 && t.n < SqlInjection.MAX_TOKENS) {
                int n = t.n;
                t.type[n] = 'c';
                t.start[n] = commentStart;
                t.end[n] = commentEnd;
                t.sub[n] = commentKind;
                t.n = n + 1;
            }
        }
    }

    /** Tokenises {@code s[0, len)}; with {@code ctx} a quote, as if the value started inside such a string. */
    static void tokenize(CharSequence s, int len, char ctx, SqlInjection.Tokens t) {
        t.n = 0;
        Folder f = new Folder(t);
        int i = 0;
        if (ctx != 0) {
            int close = closeQuote(s, 0, len, ctx);
            f.push('s', 0, Math.min(len, close + 1), 0);
            i = close + 1;
        }
        while (i < len && !f.full) {
            char c = s.charAt(i);
            if (isSpace(c)) {
                i++;
            } else if (c == '\'' || c == '"') {
                int close = closeQuote(s, i + 1, len, c);
                f.push('s', i, Math.min(len, close + 1), 0);
                i = close + 1;
            } else if (c == '`') {
                int close = closeQuote(s, i + 1, len, c);
                f.push('n', i, Math.min(len, close + 1), 0);
                i = close + 1;
            } else if ((c >= '0' && c <= '9') || (c == '.' && i + 1 < len && s.charAt(i + 1) >= '0'
                    && s.charAt(i + 1) <= '9')) {
                int j = i + 1;
                if (c == '0' && j < len && (s.charAt(j) | 0x20) == 'x') {
                    j++;
                    while (j < len && Character.digit(s.charAt(j), 16) >= 0) {
                        j++;
                    }
                } else {
                    while (j < len && ((s.charAt(j) >= '0' && s.charAt(j) <= '9') || s.charAt(j) == '.')) {
                        j++;
                    }
                    if (j + 1 < len && (s.charAt(j) | 0x20) == 'e' && (Character.isDigit(s.charAt(j + 1))
                            || s.charAt(j + 1) == '-' || s.charAt(j + 1) == '+')) {
                        j += 2;
                        while (j < len && s.charAt(j) >= '0' && s.charAt(j) <= '9') {
                            j++;
                        }
                    }
                }
                f.push('1', i, j, 0);
                i = j;
            } else if (isWordStart(c)) {
                int j = i + 1;
                while (j < len && isWordChar(s.charAt(j))) {
                    j++;
                }
                if (j == i + 1 && j < len && s.charAt(j) == '\'' && "nNxXbBeE".indexOf(c) >= 0) {
                    int close = closeQuote(s, j + 1, len, '\'');
                    f.push('s', i, Math.min(len, close + 1), 0);
                    i = close + 1;
                    continue;
                }
                int we = j;
                while (we > i + 1 && s.charAt(we - 1) == '.') {
                    we--;
                }
                word(s, i, we, j, len, f);
                i = j;
            } else if (c == '@') {
                int j = i + 1;
                boolean sys = j < len && s.charAt(j) == '@';
                if (sys) {
                    j++;
                }
                int ws = j;
                while (j < len && (isWordChar(s.charAt(j)) || s.charAt(j) == '@')) {
                    j++;
                }
                if (j == ws) {
                    f.push('o', i, j, 0);
                } else {
                    f.push(sys ? 'X' : 'v', i, j, 0);
                }
                i = j;
            } else if (c == '#') {
                int j = i;
                while (j < len && s.charAt(j) != '\n') {
                    j++;
                }
                f.comment(i, j, '#');
                i = j;
            } else if (c == '-' && i + 1 < len && s.charAt(i + 1) == '-'
                    && (i + 2 >= len || isSpace(s.charAt(i + 2)) || s.charAt(i + 2) == '-')) {
                int j = i;
                while (j < len && s.charAt(j) != '\n') {
                    j++;
                }
                f.comment(i, j, '-');
                i = j;
            } else if (c == '/' && i + 1 < len && s.charAt(i + 1) == '*') {
                if (i + 2 < len && s.charAt(i + 2) == '!') {
                    int j = i + 3; // MySQL executable comment: its content is code
                    while (j < len && s.charAt(j) >= '0' && s.charAt(j) <= '9') {
                        j++;
                    }
                    i = j;
                    continue;
                }
                int j = i + 2;
                while (j + 1 < len && !(s.charAt(j) == '*' && s.charAt(j + 1) == '/')) {
                    j++;
                }
                j = Math.min(len, j + 2);
                f.comment(i, j, '*');
                i = j;
            } else if (c == '*' && i + 1 < len && s.charAt(i + 1) == '/') {
                i += 2; // end of an executable comment
            } else if (c == ';' || c == '(' || c == ')' || c == ',') {
                f.push(c, i, i + 1, 0);
                i++;
            } else if (isOpChar(c)) {
                char d = i + 1 < len ? s.charAt(i + 1) : 0;
                if ((c == '|' && d == '|') || (c == '&' && d == '&')) {
                    f.push('&', i, i + 2, 0);
                    i += 2;
                } else if (c == '<' && d == '=' && i + 2 < len && s.charAt(i + 2) == '>') {
                    f.push('o', i, i + 3, F_CMP);
                    i += 3;
                } else if (twoCharOp(c, d)) {
                    f.push('o', i, i + 2, c == '<' && d == '<' || c == '>' && d == '>' ? 0 : F_CMP);
                    i += 2;
                } else {
                    f.push('o', i, i + 1, c == '-' || c == '+' || c == '!' || c == '~' ? F_UNARY
                            : c == '=' || c == '<' || c == '>' ? F_CMP : 0);
                    i++;
                }
            } else {
                i++; // punctuation with no SQL meaning
            }
        }
        f.finish();
    }

    private static void word(CharSequence s, int from, int wordEnd, int end, int len, Folder f) {
        int k = lookup(s, from, wordEnd);
        if (k < 0) {
            // dotted names: the evil schema prefixes
            for (int d = from; d < wordEnd; d++) {
                if (s.charAt(d) == '.') {
                    int p = lookup(s, from, d);
                    if (p >= 0 && KTYPE[p] == 'X' || eqIgnoreCase(s, from, d, "sysibm")
                            || eqIgnoreCase(s, from, d, "syscat")) {
                        f.push('X', from, end, 0);
                        return;
                    }
                    break;
                }
            }
            for (int d = wordEnd - 1; d > from; d--) {
                if (s.charAt(d) == '.') {
                    int p = lookup(s, d + 1, wordEnd);
                    if (p >= 0 && (KTYPE[p] == 'X' || KTYPE[p] == 'Z' && nextIsParen(s, end, len))) {
                        f.push('X', from, end, 0);
                        return;
                    }
                    break;
                }
            }
            f.push('n', from, end, 0);
            return;
        }
        char type = KTYPE[k];
        int flags = KFLAGS[k];
        if (type == 'F' || type == 'Z') {
            boolean call = nextIsParen(s, end, len);
            type = call ? (type == 'F' ? 'f' : 'X') : 'n';
            flags = 0;
        }
        f.push(type, from, end, flags);
    }

    /** Whether the next significant character (skipping blanks and block comments) is an opening parenthesis. */
    private static boolean nextIsParen(CharSequence s, int i, int len) {
        while (i < len) {
            char c = s.charAt(i);
            if (isSpace(c)) {
                i++;
            } else if (c == '/' && i + 1 < len && s.charAt(i + 1) == '*') {
                int j = i + 2;
                while (j + 1 < len && !(s.charAt(j) == '*' && s.charAt(j + 1) == '/')) {
                    j++;
                }
                i = j + 2;
            } else {
                return c == '(';
            }
        }
        return false;
    }
}
