package dev.aegis.waf;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static dev.aegis.waf.Rule.CRITICAL;
import static dev.aegis.waf.Rule.ERROR;
import static dev.aegis.waf.Rule.NOTICE;
import static dev.aegis.waf.Rule.WARNING;
import static dev.aegis.waf.Value.*;

/** The built-in rule set, compiled once. */
final class Rules {
    private Rules() {
    }

    /** User input: arguments, their names, cookies, files, raw bodies, non-standard headers, the path. */
    static final int INPUT = ARG | ARG_NAME | COOKIE | FILE | BODY | XHDR;
    static final int INPUT_PATH = INPUT | PATH;
    static final int ALL_HEADERS = HEADER | COOKIE | COOKIE_NAME | HEADER_NAME;
    static final int EVERYTHING = INPUT_PATH | ALL_HEADERS | URI;
    static final int SPECIAL = ~(C_ALPHA | C_DIGIT | C_SPACE | C_DOT | C_DASH);

    private static String frag(String s, int at, int end) {
        // positions may come from a lower-cased copy, which can be longer ("\u0130" lower-cases to two chars)
        int a = Math.min(s.length(), Math.max(0, at));
        int e = Math.min(s.length(), Math.max(end, a));
        return s.substring(a, Math.min(e, a + WafMatch.MAX_FRAGMENT));
    }

    private static Rule.Detector phrase(PhraseMatcher m, View view) {
        return new PhraseDetector(m, view);
    }

    private static Rule.Detector regex(Pattern p, View view) {
        return new RegexDetector(p, view);
    }

    /**
     * A hand-written detector with its prefilter: it can only match when one of {@code literals} is in
     * {@code view} (stated next to each use, with the reason).
     */
    private static Rule.Detector anchored(java.util.Collection<String> literals, View view, Rule.Detector d) {
        return new AnchoredDetector(literals.toArray(String[]::new), view, d);
    }

    /**
     * A detector whose matches need either all classes of one set of {@code bypass} (then it always runs) or one of
     * {@code literals} in {@code view} (stated next to each use, with the reason).
     */
    private static Rule.Detector unlessClasses(int[] bypass, java.util.Collection<String> literals, View view,
            Rule.Detector d) {
        return new BypassableDetector(literals.toArray(String[]::new), bypass, view, d);
    }

    record BypassableDetector(String[] literals, int[] literalBypass, View view, Rule.Detector detector)
            implements Rule.Detector {
        @Override
        public String test(Value v) {
            return detector.test(v);
        }
    }

    record AnchoredDetector(String[] literals, View view, Rule.Detector detector) implements Rule.Detector {
        @Override
        public String test(Value v) {
            return detector.test(v);
        }
    }

    /** An anchored detector that cannot match values {@code precluded} accepts (see {@link Rule.Detector#precludes}). */
    record GatedDetector(String[] literals, View view, java.util.function.Predicate<Value> precluded,
            Rule.Detector detector) implements Rule.Detector {
        @Override
        public String test(Value v) {
            return precluded.test(v) ? null : detector.test(v);
        }

        @Override
        public boolean precludes(Value v) {
            return precluded.test(v);
        }

        /** The wrapped detector's class masks still hold: the gate only rules out more. */
        @Override
        public int[] classMasks() {
            return detector.classMasks();
        }
    }

    /** A regex rule whose matches {@code precluded} can rule out before its literals are looked for. */
    private static Rule.Detector gatedRegex(Pattern p, View view, java.util.function.Predicate<Value> precluded) {
        RegexDetector r = new RegexDetector(p, view);
        return new GatedDetector(r.literals(), view, precluded, r);
    }

    /**
     * Whether rule 936140's pattern cannot match: every shape of it needs a line break, or an option after a blank
     * ({@code sendmail -f x -oQ}; its second flag follows {@code \s+}, and a line break is a blank too). Its literal
     * filter ({@code -f}, {@code -o}, ...) alone lets hyphenated prose through ({@code Mon-Fri}, {@code co-owner}),
     * which then costs a regex run.
     */
    static boolean noMailShape(Value v) {
        String s = v.plain() ? v.raw : v.decLower();
        if (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            return false;
        }
        for (int i = s.indexOf('-', 1); i > 0; i = s.indexOf('-', i + 1)) {
            char before = s.charAt(i - 1);
            if (before == ' ' || before == '\t' || before == '\f' || before == 0x0B) {
                return false;
            }
        }
        return true;
    }

    /** Whether the raw value starts with {@code http}, any case: then its lower-cased views do too. */
    private static boolean startsWithHttp(Value v) {
        return v.raw.regionMatches(true, 0, "http", 0, 4);
    }

    /**
     * A detector that needs every byte class of {@code classes} in the value (its pattern spells those characters
     * literally, and no view adds them), on top of the rule's any-of trigger.
     */
    private static Rule.Detector requiring(int classes, Rule.Detector d) {
        return new RequiringDetector(classes, d);
    }

    record RequiringDetector(int requiredClasses, Rule.Detector detector) implements Rule.Detector {
        @Override
        public String test(Value v) {
            return detector.test(v);
        }

        @Override
        public String[] literals() {
            return detector.literals();
        }

        @Override
        public int[] classMasks() {
            return detector.classMasks();
        }

        @Override
        public View view() {
            return detector.view();
        }
    }

    /** A hand-written detector that only reports matches of {@code p} in {@code view}: it has the regex's filters. */
    private static Rule.Detector likeRegex(Pattern p, View view, Rule.Detector d) {
        RegexDetector r = new RegexDetector(p, view);
        return new FilteredDetector(r.literals(), r.classMasks(), view, d);
    }

    record FilteredDetector(String[] literals, int[] classMasks, View view, Rule.Detector detector)
            implements Rule.Detector {
        @Override
        public String test(Value v) {
            return detector.test(v);
        }
    }

    /** A phrase-list rule: its phrases are also its prefilter literals. */
    record PhraseDetector(PhraseMatcher matcher, View view) implements Rule.Detector {
        @Override
        public String test(Value v) {
            String s = view.of(v);
            // long values: both ends (the automaton already saw all of it; see REGEX_WINDOW)
            return s.length() <= 2 * REGEX_WINDOW ? matcher.find(s) : inWindows(s, matcher::find);
        }

        @Override
        public String[] literals() {
            return matcher.phrases();
        }
    }

    /** A regex rule (RE2J, linear time); its prefilter literals are derived from the pattern. */
    record RegexDetector(Pattern pattern, View view, String[] literals, int[] classMasks, Branch[] branches)
            implements Rule.Detector {
        RegexDetector(Pattern pattern, View view) {
            this(pattern, view, RequiredLiterals.of(pattern.pattern()), masksFor(pattern.pattern(), view),
                    branchesOf(pattern, view));
        }

        /**
         * One top-level alternative of the regex with its own filters. RE2J's cost grows with the size of the
         * pattern, and a value usually passes the filters of one alternative at most, so a regex of many
         * alternatives runs as the few that can match. {@code required} are all the literal sets of which a match
         * holds a member ({@link RequiredLiterals#requiredSets}), or null: the automaton only knows one set per
         * rule, and {@code ${} alone lets a kilobyte of nested lookups reach a pattern that also needs
         * {@code runtime} or {@code .class} (RE2J spent 11 ms on each of two such rules for 16 KiB of them).
         */
        record Branch(Pattern pattern, String[] literals, int[] classMasks, String[][] required) {
        }

        private static Branch[] branchesOf(Pattern pattern, View view) {
            List<String> parts = RequiredLiterals.branches(pattern.pattern());
            if (parts == null) {
                return null;
            }
            Branch[] out = new Branch[parts.size()];
            for (int k = 0; k < out.length; k++) {
                String[] lits = RequiredLiterals.of(parts.get(k));
                // literals are compared lower-cased; the DEC view keeps case, so it only gets the class filter
                boolean folded = view != View.DEC && view != View.RAW;
                String[][] required = folded ? RequiredLiterals.requiredSets(parts.get(k)) : null;
                // the automaton's set is one of the required sets: checked with them, not twice
                out[k] = new Branch(Pattern.compile(parts.get(k)),
                        required != null || view == View.DEC || lits == null || lits.length > 8 ? null : lits,
                        masksFor(parts.get(k), view), required);
            }
            return out;
        }

        /** The regex's class requirements, without the ones its view can create ('/' from '\\' in the path view). */
        private static int[] masksFor(String regex, View view) {
            int[] masks = RequiredLiterals.classMasks(regex);
            if (masks == null) {
                return null;
            }
            int drop = view == View.PATH ? C_SLASH : 0;
            for (int k = 0; k < masks.length; k++) {
                masks[k] &= ~drop;
                if (masks[k] == 0) {
                    return null;
                }
            }
            return masks;
        }

        @Override
        public String test(Value v) {
            String s = view.of(v);
            // long values: both ends (see REGEX_WINDOW); the common short value costs no lambda
            return s.length() <= 2 * REGEX_WINDOW ? find(v, s) : inWindows(s, w -> find(v, w));
        }

        private String find(Value v, String s) {
            if (branches == null) {
                Matcher mm = pattern.matcher(s);
                return mm.find() ? frag(s, mm.start(), mm.end()) : null;
            }
            // The leftmost match of any alternative, the earlier alternative on a tie: what the whole regex finds.
            int start = Integer.MAX_VALUE;
            int end = -1;
            for (Branch b : branches) {
                if (b.classMasks() != null && !anyMask(b.classMasks(), v.classes)
                        || b.literals() != null && !containsAny(s, b.literals())
                        || b.required() != null && !containsAll(s, b.required())) {
                    continue;
                }
                Matcher mm = b.pattern().matcher(s);
                if (mm.find() && mm.start() < start) {
                    start = mm.start();
                    end = mm.end();
                }
            }
            return end < 0 ? null : frag(s, start, end);
        }
    }

    /**
     * How much of each end of a long value the regex rules (and the phrase and command walkers) read. RE2J runs in linear time, but with a large constant
     * for patterns with bounded repetition (up to a microsecond a character on hostile input): without a bound, one
     * crafted 1 MiB value costs seconds. Byte classes, the literal automaton and the decoders still read all of it,
     * the SQL tokenizer its first 8 KiB and the HTML tokenizer its first 64 KiB. An injection has to sit inside an
     * argument the application reads, and 16 KiB of padding inside one argument, header or cookie is itself rare
     * in real traffic; ModSecurity's PCRE match limits make its rules give up on such input in the same way.
     */
    static final int REGEX_WINDOW = 8 * 1024;

    /** Runs {@code detector} on {@code s}, or on its first and last {@link #REGEX_WINDOW} characters if longer. */
    static String inWindows(String s, java.util.function.Function<String, String> detector) {
        if (s.length() <= 2 * REGEX_WINDOW) {
            return detector.apply(s);
        }
        String f = detector.apply(s.substring(0, REGEX_WINDOW));
        return f != null ? f : detector.apply(s.substring(s.length() - REGEX_WINDOW));
    }

    /** Whether {@code classes} holds every class of at least one of {@code masks}. */
    static boolean anyMask(int[] masks, int classes) {
        for (int m : masks) {
            if ((classes & m) == m) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code s} contains a member of every set. */
    private static boolean containsAll(String s, String[][] sets) {
        for (String[] set : sets) {
            if (!containsAny(s, set)) {
                return false;
            }
        }
        return true;
    }

    private static boolean containsAny(String s, String[] literals) {
        for (String l : literals) {
            if (s.contains(l)) {
                return true;
            }
        }
        return false;
    }

    /** The text a detector reads: which transformations of the value. */
    enum View {
        LOW, PATH, DEC, SHELL, JNDI, DEC_LOWER, RAW;

        static final View[] VALUES = values();
        static final int COUNT = VALUES.length;

        String of(Value v) {
            return switch (this) {
                case LOW -> v.low();
                case PATH -> v.path();
                case DEC -> v.dec();
                case SHELL -> v.shell();
                case JNDI -> v.jndi();
                case DEC_LOWER -> v.decLower();
                case RAW -> v.raw;
            };
        }
    }

    static final View LOW = View.LOW;
    static final View PATHV = View.PATH;
    static final View DEC = View.DEC;
    static final View SHELL = View.SHELL;
    static final View JNDIV = View.JNDI;

    // ---------- phrase lists ----------
    static final PhraseMatcher OS_FILES = PhraseMatcher.of("etc/passwd", "etc/shadow", "etc/group", "etc/hosts",
            "etc/issue", "etc/motd", "etc/crontab", "etc/sudoers", "etc/master.passwd", "etc/security/",
            "etc/httpd/", "etc/apache2/", "etc/nginx/", "etc/mysql/", "etc/php", "etc/ssh/", "etc/profile",
            "etc/environment", "etc/resolv.conf", "etc/fstab", "etc/hostname", "etc/inittab", "etc/network",
            "etc/os-release", "etc/passwd-", "etc/pwd.db", "proc/self/", "proc/version", "proc/cpuinfo",
            "proc/meminfo", "proc/mounts", "proc/net/", "proc/sched_debug", "proc/1/", "var/log/", "var/run/",
            "var/lib/mlocate", "usr/local/apache", "usr/local/etc", "boot.ini", "win.ini", "system.ini",
            "windows/system32", "winnt/system32", "windows\\system32", "system32/config", "system32/drivers",
            "autoexec.bat", "config.sys", "inetpub/", "wwwroot/", ".htaccess", ".htpasswd", ".bash_history",
            ".bash_profile", ".bashrc", ".ssh/id_rsa", ".ssh/id_dsa", ".ssh/authorized_keys", ".ssh/known_hosts",
            "id_rsa", "wp-config.php", "web.config", "web-inf/", "meta-inf/", ".git/config", ".git/head",
            ".svn/entries", ".env", "localstart.asp", "php.ini", "my.cnf", "my.ini", "httpd.conf", "nginx.conf",
            "apache2.conf", "lighttpd.conf", "tomcat-users.xml", "server.xml", "shadow.bak", "passwd.bak",
            "/.aws/credentials", "docker.sock", "/root/", "c:/windows", "c:\\windows", "repair/sam",
            "system32/inetsrv", "desktop.ini", "ntuser.dat", "/proc/", "/dev/null", "/etc/",
            // kernel pseudo-files, credential dotfiles, cloud/CI secrets, Windows deployment secrets
            "sys/class/", "sys/kernel/", "sys/devices/", "sys/firmware/", ".boto", ".s3cfg", ".netrc", ".pgpass",
            ".my.cnf", ".git-credentials", ".docker/config.json", ".kube/config", ".ssh/id_ed25519", ".ssh/id_ecdsa",
            ".npmrc", ".pypirc", ".gnupg/", ".mysql_history", ".psql_history", ".zsh_history", ".viminfo",
            ".gcloud/", ".azure/", "credentials.json", "unattend.xml", "sysprep.inf", "applicationhost.config",
            "windows/repair/", "windows/panther/", "ntds.dit", "wp-config-php", "wp-config.bak", "wp-config.old");

    static final List<String> OS_FILES_LIST = List.of(OS_FILES.phrases());

    static final PhraseMatcher RESTRICTED_PATH = PhraseMatcher.of("/.git/", "/.git", "/.svn", "/.hg/", "/.env",
            "/.htaccess", "/.htpasswd", "/.ds_store", "/.bash_history", "/.ssh/", "/web-inf", "/meta-inf",
            "/.aws/", "/.npmrc", "/.dockerenv", "/wp-config.php", "/.idea/", "/.vscode/", "/id_rsa",
            "/server-status", "/phpinfo.php", "/.user.ini", "/web.config");

    static final Set<String> RESTRICTED_EXT = Set.of("bak", "backup", "old", "orig", "sql", "config", "conf",
            "ini", "log", "cmd", "bat", "dll", "mdb", "swp", "save", "sav", "tmp", "temp", "cfg", "dist", "db",
            "sqlite", "inc", "asa", "cdx", "htr", "htw", "ida", "idc", "idq", "printer", "rdb", "resources",
            "resx", "sh", "pem", "key", "crt", "p12", "pfx", "jks", "kdbx", "vb", "vbs", "vbproj", "csproj",
            "pdb", "pol", "sys", "dat", "exe", "com", "reg", "lnk", "ps1", "psm1");

    static final PhraseMatcher WRAPPERS = PhraseMatcher.of("php://", "file://", "phar://", "zip://", "expect://",
            "glob://", "data://", "zlib://", "compress.zlib://", "compress.bzip2://", "rar://", "ogg://", "ssh2.",
            "jar:file:", "jar:http", "netdoc:");

    static final PhraseMatcher SCANNERS = PhraseMatcher.of("sqlmap", "nikto", "nmap", "masscan", "acunetix",
            "nessus", "dirbuster", "gobuster", "wpscan", "zgrab", "nuclei", "w3af", "havij", "openvas", "arachni",
            "netsparker", "appscan", "webinspect", "burpsuite", "burp collaborator", "zmeu", "morfeus",
            "paros", "webshag", "whatweb", "wfuzz", "ffuf", "feroxbuster", "skipfish", "commix", "jaeles",
            "xsstrike", "dirb/", "(hydra)", "nmap scripting engine", "bsqlbf", "sqlninja", "grabber",
            "webvulnscan", "vega/", "zap/", "fimap", "jbrofuzz", "brutus", "mysqloit", "pangolin", "metis",
            "absinthe", "blackwidow", "wprecon", "joomscan", "droopescan", "cgichk", "nsauditor",
            "security scan", "vulnerability scan", "internet-scanner", "crimscanner", "fhscan", "httrack",
            "interactsh", "log4j-scan", ".nasl", "masscan/", "zgrab/", "censysinspect", "sf/", "struts-pwn",
            "dotdotpwn", "brute force", "n-stealth", "teh forest lobster", "fuzz faster u fool");

    static final PhraseMatcher PHP_VARS = PhraseMatcher.of("$_get", "$_post", "$_server", "$_cookie",
            "$_request", "$_files", "$_env", "$globals", "$_session", "$http_raw_post_data", "$http_get_vars",
            "$http_post_vars", "php://input", "php://filter", "$http_server_vars", "$http_cookie_vars");

    static final PhraseMatcher PHP_INI = PhraseMatcher.of("allow_url_include", "allow_url_fopen",
            "auto_prepend_file", "auto_append_file", "safe_mode", "disable_functions", "open_basedir",
            "session.auto_start", "session.save_path", "error_log", "display_errors", "register_globals",
            "magic_quotes_gpc", "file_uploads", "include_path", "upload_tmp_dir", "mbstring.func_overload",
            "precision", "serialize_precision", "extension_dir", "sendmail_path", "zend_extension",
            "assert.active", "log_errors", "html_errors", "short_open_tag", "memory_limit",
            "max_execution_time", "enable_dl", "user_ini.filename", "expose_php");

    static final PhraseMatcher PHP_FUNCS_STRONG = PhraseMatcher.of("phpinfo", "base64_decode", "shell_exec",
            "passthru", "proc_open", "popen", "pcntl_exec", "file_get_contents", "file_put_contents",
            "fputcsv", "fputs", "fwrite", "fopen", "readfile", "show_source", "highlight_file", "create_function",
            "call_user_func", "call_user_func_array", "preg_replace", "str_rot13", "gzinflate", "gzuncompress",
            "gzdecode", "move_uploaded_file", "unserialize", "var_dump", "print_r", "ini_set", "ini_get",
            "set_time_limit", "array_map", "array_filter", "usort", "uasort", "register_shutdown_function",
            "posix_getpwuid", "posix_kill", "get_defined_vars", "getenv", "putenv", "mb_ereg_replace", "chr",
            "convert_uudecode", "hex2bin", "bin2hex", "dl", "escapeshellcmd", "mail", "getcwd", "scandir",
            "glob", "opendir", "readdir", "unlink", "rmdir", "mkdir", "chmod", "symlink", "copy",
            "stream_get_contents", "curl_exec", "curl_init", "fsockopen", "pfsockopen", "socket_create",
            "simplexml_load_file", "simplexml_load_string", "parse_str", "extract", "import_request_variables",
            "file", "fread", "fgets", "include_once", "require_once", "strrev", "ob_start", "array_walk",
            "is_writable", "is_readable", "file_exists", "phpversion", "php_uname", "zend_version",
            // compression, process, introspection, string and database helpers seen in PHP payloads
            "bzdecompress", "bzopen", "zlib_decode", "gzopen", "gzread", "posix_getegid", "posix_geteuid", "posix_getuid",
            "posix_getgid", "posix_setuid", "posix_uname", "posix_getpwnam", "get_defined_functions", "get_defined_constants",
            "get_loaded_extensions", "get_included_files", "get_current_user", "getmypid", "getmyuid", "is_array",
            "is_callable", "function_exists", "strip_tags", "unpack", "pack", "array_diff", "array_reduce", "iterator_apply",
            "tidy_parse_string", "filegroup", "fileowner", "fileperms", "disk_free_space", "sys_get_temp_dir",
            "stream_socket_client", "stream_context_create", "pg_connect", "pg_query", "mysqli_query", "mysql_query",
            "odbc_exec", "odbc_connect", "ldap_connect", "ldap_search", "apache_setenv", "virtual", "posix_mkfifo",
            "imap_open", "mb_send_mail", "error_log", "ini_restore", "set_include_path", "spl_autoload_register");

    static final PhraseMatcher PHP_FUNCS_WEAK = PhraseMatcher.of("system", "exec", "eval", "assert", "include",
            "require", "print", "echo", "die", "header");

    static final PhraseMatcher JAVA = PhraseMatcher.of("java.lang.runtime", "java.lang.processbuilder",
            "java.lang.process", "getruntime", "processbuilder", "processimpl", "java.lang.system",
            "java.lang.class", "java.lang.reflect", "java.lang.thread", "java.lang.classloader",
            "java.io.", "java.net.", "java.nio.", "java.util.", "java.beans.", "java.rmi.", "java.security.",
            "javax.", "jdk.jshell", "sun.misc.", "com.sun.", "sun.reflect", "org.apache.commons.collections",
            "org.apache.xalan", "org.codehaus.groovy", "groovy.lang", "bsh.interpreter", "clojure.",
            "org.springframework.", "com.opensymphony.xwork2", "ognl.", "_memberaccess", "#context",
            "@java.lang", ".getclass(", ".getclassloader", "class.classloader", "class.module.classloader",
            "classloader.resources", ".forname(", "getdeclaredmethod", "getmethod(", ".invoke(", "newinstance(",
            "scriptenginemanager", "getenginebyname", "xmldecoder", "xstream", "templatesimpl",
            "invokertransformer", "chainedtransformer", "constanttransformer", "jdbcrowsetimpl", "rmi://",
            "java.evil.", "org.apache.struts2", "org.omg.corba", "org.omg.",
            // commons-collections / groovy gadget-chain classes
            "clonetransformer", "forclosure", "instantiatefactory", "instantiatetransformer", "prototypeclonefactory",
            "prototypeserializationfactory", "whileclosure", "methodclosure", "convertedclosure", "lazymap",
            "transformedmap", "transformingcomparator", "annotationinvocationhandler", "badattributevalueexpexception");

    static final PhraseMatcher NODE = PhraseMatcher.of("child_process", "_$$nd_func$$_", "process[", "require[",
            "constructor:constructor", ":constructor:", "require.main", "console.log(", "console.info(", "process.mainmodule", "require(",
            "process.binding", "global.process", "process.env", "mainmodule.require", ".constructor(",
            "constructor.constructor", "this.constructor", "fromcharcode", "process.kill", "process.exit",
            "vm.runinthiscontext", "vm.runinnewcontext", "execsync(", "spawnsync(", "module.exports",
            "eval(", "function(", "settimeout(", "setinterval(", "new function", "=>");

    static final PhraseMatcher PROTO = PhraseMatcher.of("__proto__", "constructor.prototype",
            "constructor[prototype]", "[constructor][prototype]", "__definegetter__", "__definesetter__",
            "__lookupgetter__");

    static final PhraseMatcher RUBY = PhraseMatcher.of("kernel.exec", "kernel.system", "kernel.spawn",
            "io.popen", "process.spawn", "open3.", "%x{", "instance_eval", "class_eval", "module_eval",
            "kernel.open", "__send__", "object.send", ".send(:", "erb.new", "yaml.load", "marshal.load",
            "syscall(");

    static final PhraseMatcher SHELL_EXPR = PhraseMatcher.of("/dev/tcp/", "/dev/udp/", "/bin/sh", "/bin/bash",
            "/bin/zsh", "/bin/ksh", "/bin/csh", "/bin/dash", "/usr/bin/", "/bin/cat", "/bin/ls", "/bin/nc",
            "bash -i", "sh -i", "nc -e", "nc -l", "ncat -e", "/dev/null", "2>&1", ">&/dev", "0<&", "mkfifo",
            "bash -c", "sh -c", "cmd /c", "cmd.exe", "powershell", "pwsh", "wget http", "curl http",
            "wget -", "curl -", "chmod +x", "chmod 777", "rm -rf", "| sh", "|sh", "| bash", "|bash", "$(",
            "python -c", "perl -e", "ruby -e", "php -r", "nslookup ", "xterm -display", "telnet ",
            "/etc/passwd", "cmd.exe /c", "certutil -", "bitsadmin /", "invoke-expression", "iex(", "iex (",
            "downloadstring", "net user", "net localgroup", "whoami", "uname -a", "ifconfig", "ipconfig",
            "systeminfo", "tasklist", "cat /", "echo $", "sleep(", "busybox", "base64 -d", "xxd -r");

    static final Set<String> CMD_STRONG = Set.of("wget", "curl", "bash", "zsh", "ksh", "csh", "tcsh", "dash",
            "sh", "netcat", "ncat", "telnet", "whoami", "uname", "ifconfig", "ipconfig", "python", "python2",
            "python3", "perl", "ruby", "php", "powershell", "powershell.exe", "pwsh", "cmd", "cmd.exe",
            "certutil", "bitsadmin", "systeminfo", "nslookup", "tasklist", "taskkill", "sudo", "chmod", "chown",
            "crontab", "xargs", "nohup", "busybox", "socat", "tftp", "useradd", "wmic", "rundll32", "regsvr32",
            "mshta", "cscript", "wscript", "getent", "netstat", "passwd", "lsof", "sysctl", "uptime", "hostname",
            "killall", "pkill", "mkfifo", "shutdown", "reboot", "net", "net.exe", "reg", "schtasks", "icacls",
            "attrib", "taskmgr", "msiexec", "nmap", "traceroute", "tracert", "arp", "route", "iptables",
            "gcc", "cc", "awk", "gawk", "sed", "openssl", "base64", "xxd", "ssh", "scp", "rsync", "nc.exe",
            "whoami.exe", "ping.exe", "ver", "vol", "ipconfig.exe", "env", "printenv", "id", "ls", "pwd",
            // configuration-management / admin tools
            "ansible", "ansible-playbook", "ansible-galaxy", "ansible-inventory", "ansible-pull", "ansible-vault",
            "ansible-console", "ansible-doc", "ansible-config", "chef-client", "chef-vault", "chef-shell", "chef-run",
            "chef-solo", "knife", "salt-call", "puppet", "visudo", "perf", "rmt", "irb", "htop", "regedit",
            "bcdboot", "bcdedit", "uconv", "lastlogin", "cscli", "vssadmin", "diskpart", "netsh", "sc.exe",
            // PowerShell cmdlets and aliases
            "iwr", "irm", "iex", "iwmi", "invoke-webrequest", "invoke-restmethod", "invoke-expression",
            "invoke-wmimethod", "start-process", "new-object", "set-executionpolicy", "get-wmiobject");

    static final Set<String> CMD_WEAK = Set.of("cat", "dir", "echo", "ping", "sleep", "kill", "more", "less",
            "head", "tail", "type", "find", "grep", "set", "who", "w", "ps", "rm", "cp", "mv", "touch", "mkdir",
            "sort", "time", "uniq", "tee", "dig", "host", "export", "exec", "eval", "nl", "od", "tac", "rev",
            "wc", "date", "printf", "expr", "timeout", "which", "locate", "file", "whereis", "cd", "ln", "tar",
            "zip", "unzip", "diff", "cut", "tr", "strings", "mount", "nc", "ftp", "del", "copy", "move",
            "start", "call", "rmdir", "rd", "md", "cls", "shutdown", "tree", "fc", "unset", "source", "alias",
            "chdir", "curl", "last", "finger", "df", "du", "free", "top", "lsb_release", "git", "svn", "node",
            "java", "jshell", "lua", "tclsh", "ed", "vi", "vim", "nano", "dd", "sum", "md5sum", "sha1sum");

    // ---------- regexes ----------
    static final Pattern RFI_IP = Pattern.compile("(?:https?|ftps?|file)://(?:[^/@]*@)?(?:\\[?(?:\\d{1,3}\\.){3}\\d{1,3}|\\[[0-9a-f:.]*:[0-9a-f:.%a-z]*\\])");
    static final Pattern RFI_QMARK = Pattern.compile("^(?:https?|ftps?|file)://[^\\s]*\\?+$");
    static final Pattern RFI_INCLUDE = Pattern.compile("(?:\\binclude\\s*\\(|mosconfig_absolute_path|_conf\\[path\\]|_server\\[document_root\\]|gallery_basedir|path\\[docroot\\]|appserv_root|config\\[root_dir\\])[^=]*=?\\s*(?:file|ftps?|https?)://");
    static final Pattern SSRF = Pattern.compile(
            "(?:https?|ftps?|gopher|dict|ldaps?|sftp|tftp|file|jar|netdoc|rmi|smb|telnet):/*(?:[^/@\\s]*@)?\\[?(?:localhost|127\\.\\d|0\\.0\\.0\\.0|0+(?:[:/]|$)|169\\.254\\.|metadata\\.google\\.internal|metadata\\b|100\\.100\\.100\\.200|::1?\\]|::ffff:|0x[0-9a-f]{2,8}(?:[.:/]|$)|0[0-7]{1,3}\\.|\\d{8,10}(?:[:/?#]|$)|10\\.\\d|192\\.168\\.|172\\.(?:1[6-9]|2\\d|3[01])\\.|\\[?fd[0-9a-f]{2}:|[a-z0-9.-]*\\.(?:internal|local|localdomain)(?:[:/]|$)|instance-data|kubernetes\\.default)");
    static final Pattern SSRF_SCHEME = Pattern.compile("(?:^|[^a-z])(?:gopher|dict|ldap|ldaps|tftp|sftp|jar|netdoc|expect)://");
    static final Pattern SHELLSHOCK = Pattern.compile("^\\s*\\(\\s*\\)\\s*\\{");
    static final Pattern SHELLSHOCK_ANY = Pattern.compile("\\(\\s*\\)\\s*\\{\\s*[:a-z_]+\\s*;?\\s*\\}\\s*;");
    static final Pattern SHELL_GLOB = Pattern.compile("(?:^|[\\s;|&`(])/[a-z?*]{0,5}[?*][a-z?*]{0,5}/[a-z0-9?*./-]*|(?:^|[\\s;|&`(])/(?:bin|etc|usr|dev|tmp|var|proc)/[a-z0-9/]*[?*]");
    static final Pattern PHP_OPEN = Pattern.compile("<\\?(?:php\\b|=|\\s|$)|<\\?php|\\[php\\]");
    static final Pattern PHP_SERIAL = Pattern.compile("(?:^|[;{}\\s\"])(?:[oc]:\\d+:\"[a-z0-9_\\\\]+\":\\d+:\\{|a:\\d+:\\{(?:[isbd]:|\\}))");
    static final Pattern PHP_VARFUNC = Pattern.compile("\\$[a-z_][a-z0-9_]*\\s*(?:(?:\\[[^\\]]*\\]|\\{[^}]*\\}|/\\*.*?\\*/|//[^\\n]*\\n|#[^\\n]*\\n|\\s)*)\\(\\s*(?:['\"$]|\\d|[a-z_]+\\s*\\()");
    static final Pattern PHP_CALL_ARGS = Pattern.compile("^(?:\\s|/\\*.*?\\*/|//[^\\n]*\\n|#[^\\n]*\\n)*\\(\\s*(?:['\"`$\\[]|\\)|[a-z_][a-z0-9_]*\\s*[(\\[.]|\\d+\\s*[),])");
    static final Pattern SSTI = Pattern.compile(
            "\\{\\{.{0,200}?(?:\\d+\\s*[*+/%-]\\s*\\d+|\\._|\\.__|\\bconfig\\b|\\bself\\b|\\brequest\\b|\\bclass\\b|\\|\\s*attr|lipsum|cycler|joiner|namespace|\\[['\"]|\\(\\)|\\bsettings\\b|\\bos\\b|popen|\\bexec|\\bimport|constructor|range\\(|\\bdump\\(|_self|\\bapp\\.|\\bget_flashed|\\bg\\.|\\bmro\\b|subclasses).{0,200}?\\}\\}"
            + "|\\{%.{0,100}?(?:import|include|for |set |if |extends|block|exec|debug|load|print|raw).{0,300}?%\\}"
            + "|[$#*@~]\\{\\s*\\d+\\s*[*+/%-]\\s*\\d+\\s*\\}|<%=?.{0,200}?%>|\\$\\{[^}]{0,200}?(?:\\.class|\\.getclass|runtime|\\bt\\(|freemarker|\\.exec\\(|new\\(|\\?new|@|\\bprocess)"
            + "|#set\\s*\\(\\s*\\$|#foreach\\s*\\(|\\$\\{\\{|\\{\\{\\s*\\d+\\s*[*+/-]|\\{php\\}|\\{\\{=|@\\(\\s*\\d+\\s*[*+/-]\\s*\\d+\\s*\\)|\\[\\[\\s*\\$\\{|<#assign|\\{\\$smarty|\\{\\{\\s*[a-z_]+\\s*\\|\\s*(?:safe|e|raw)\\s*\\}\\}.*\\{\\{");
    static final Pattern OGNL = Pattern.compile("(?:[$#%]\\{[^}]{0,200}?(?:@[a-z]|\\.class|getclass|runtime|processbuilder|\\.exec\\(|#[a-z_]+\\s*=|new\\s+java|_memberaccess|context\\[|ognl|\\bt\\(\\s*java))|\\(#[a-z_]+\\s*=|#_memberaccess|@ognl\\.|#\\{[^}]*(?:\\.class|runtime)");
    static final Pattern XXE = Pattern.compile("<!entity\\s+(?:%\\s+)?[^\\s>]+\\s+(?:system|public)\\b|<!doctype[^>\\[]*\\[\\s*<!entity|<xi:include|xmlns:xi\\s*=|<!entity\\s+%|<!doctype\\s+[^>]*\\s(?:system|public)\\s+['\"]");
    static final Pattern NOSQL_VAL = Pattern.compile("\\{\\s*['\"]?\\$(?:ne|eq|gt|gte|lt|lte|in|nin|regex|where|exists|not|or|and|nor|expr|elemmatch|size|type|mod|all|text|function|accumulator|lookup|jsonschema)['\"]?\\s*:|['\"]\\s*,\\s*\\$(?:or|and|nor|where|ne|eq|gt|gte|lt|lte|regex|in|nin|exists|expr)\\s*:|\\$(?:or|and|nor)\\s*:\\s*\\[|\\$where\\b|\\bdb\\.[a-z_]+\\.(?:find|insert|remove|drop|update|aggregate)|\\bthis\\.[a-z_]+\\s*(?:==|!=|\\.match\\()|\\bsleep\\s*\\(\\s*\\d+\\s*\\)\\s*(?:\\|\\||;|&&)|(?:\\|\\||&&)\\s*(?:['\"]?\\w+['\"]?\\s*==\\s*['\"]?\\w+|true|this\\.)|;\\s*return\\s+(?:true|1|this)|\\bmapreduce\\b|\\$accumulator|\\$function");
    static final Pattern NOSQL_NAME = Pattern.compile("(?:^|\\[)\\$(?:ne|eq|gt|gte|lt|lte|in|nin|regex|where|exists|not|or|and|nor|expr|elemmatch|size|type|mod|all|text|function|accumulator|lookup|jsonschema|options)\\]?$|\\[\\$[a-z]+\\]");
    static final Pattern LDAP = Pattern.compile("(?:^|[(&|!])\\s*[a-z][a-z0-9;-]*(?::dn)?:\\d+(?:\\.\\d+)+:=|\\*\\s*\\)\\s*\\(|\\)\\s*\\(\\s*[|&!]|\\(\\s*[|&!]\\s*\\(\\s*[a-z0-9_;-]+\\s*[~<>]?=|\\)\\s*\\)\\s*\\(\\s*[|&]|^\\s*\\*\\s*\\)\\s*\\)|\\(\\s*[a-z0-9_-]+\\s*=\\s*\\*\\s*\\)\\s*\\)|\\)\\s*\\(\\s*[a-z0-9_-]+\\s*[~<>]?=\\s*\\*|^\\s*\\*\\)\\s*[|&(]|\\(\\s*&\\s*\\)|\\(\\s*\\|\\s*\\(\\s*[a-z]+\\s*=|\\x00\\)|\\)\\s*%00");
    static final Pattern SSI = Pattern.compile("<!--\\s*#\\s*(?:exec|include|echo|config|set|printenv|fsize|flastmod|if|elif|else|endif)\\b");
    static final Pattern MAIL = Pattern.compile("[\\r\\n]\\s*(?:to|cc|bcc|from|subject|reply-to|sender|return-path|content-type|mime-version|x-mailer)\\s*:|[\\r\\n]\\s*(?:rcpt to|mail from|helo|ehlo|data|quit|vrfy|expn)\\b|[\\r\\n]\\s*a?\\d*\\s*(?:login|select|fetch|capability|logout|list|examine|store|noop|search|uid)\\s+[\"a-z*0-9]|(?:^|[\\s,;])(?:-f|-o|-x|-c)\\s*/?\\S*\\s+-(?:x|oq|f|c)\\s");
    static final Pattern CRLF_HDR = Pattern.compile("[\\r\\n]\\s*(?:set-cookie|set-cookie2|location|content-type|content-length|content-disposition|refresh|x-xss-protection|access-control-[a-z-]+|content-security-policy|transfer-encoding|connection|host|cookie|x-forwarded-[a-z]+|x-[a-z-]+|www-authenticate|cache-control|expires|last-modified|etag|link|server|status|strict-transport-security|http/\\d)\\s*:?");
    static final Pattern CRLF_BODY = Pattern.compile("[\\r\\n]\\s*(?:<(?:html|meta|script|body|head|iframe)\\b|http/\\d(?:\\.\\d)?\\s+\\d{3})|(?:\\r\\n|\\n){2}\\s*<");
    static final Pattern SMUGGLE = Pattern.compile("(?:^|[\\r\\n])\\s*(?:get|post|head|put|delete|options|patch|trace|connect|propfind)\\s+[^\\s]+\\s+http/\\d");
    static final Pattern CRLF_ANY_HDR = Pattern.compile("[\\r\\n]+\\s*[a-z][a-z0-9-]{1,40}\\s*:\\s*\\S");
    static final Pattern SESSION_SET = Pattern.compile("\\.cookie\\s*=|document\\.cookie\\b|<meta[^>]*http-equiv\\s*=\\s*['\"]?set-cookie|\\bset-cookie\\s*:");
    /** Session-cookie names of common platforms, as argument names (session fixation). */
    static final Set<String> SESSION_NAMES = Set.of("jsessionid", "asp.net_sessionid", "phpsessid", "sessionid",
            "session_id", "session-id", "sessid", "sid", "cfid", "cftoken", "jservsession", "jwsession",
            "weblogicsession", "_session_id", "_rails_session", "sessiontoken", "session_token", "session",
            "connect.sid", "laravel_session", "ci_session", "symfony", "zendsession", "dwrsessionid");

    /** {@link #SESSION_NAMES}, {@code aspsessionid...} or {@code ..._session}; {@code lower} is lower-cased. */
    static boolean isSessionName(String lower) {
        if (SESSION_NAMES.contains(lower)) {
            return true;
        }
        if (lower.startsWith("aspsessionid")) {
            return onlyChars(lower, 12, lower.length(), false);
        }
        return lower.endsWith("_session") && onlyChars(lower, 0, lower.length() - 8, true);
    }

    private static boolean onlyChars(String s, int from, int to, boolean digitsToo) {
        for (int k = from; k < to; k++) {
            char c = s.charAt(k);
            if (!(c >= 'a' && c <= 'z' || digitsToo && c >= '0' && c <= '9')) {
                return false;
            }
        }
        return true;
    }
    static final Pattern NODE_DOS = Pattern.compile("while\\s*\\(+\\s*(?:[!+-]\\s*)*(?:infinity|string|number|object|array|undefined|\"\"|''|``|\\[\\]|\\{\\}|\\d+)\\s*\\)+\\s*(?:;|\\{|$)|\\bdo\\s*\\{[^}]{0,200}\\}\\s*while\\s*\\(|while\\s*\\(\\s*[a-z_$][\\w$]*\\s*-\\s*[a-z_$][\\w$]*\\s*<\\s*\\d{3,}|while\\s*\\(\\s*(?:true|1|this|!0|!false|\\[\\])\\s*\\)|for\\s*\\(\\s*;\\s*;\\s*\\)|\\.repeat\\(\\s*\\d{6,}\\s*\\)|new\\s+array\\(\\s*\\d{7,}\\s*\\)");
    static final Pattern JAVA_CLASS = Pattern.compile("\\b(?:java|javax|jdk|sun|com\\.sun|org\\.omg|org\\.apache|org\\.springframework|org\\.hibernate|groovy|bsh)\\.[a-z_$][a-z0-9_$]*\\.[a-z_$]");
    static final Pattern JAVA_DESER = Pattern.compile("ro0ab|kztaau|cs7qaf|aced0005|\\xac\\xed\\x00\\x05|h4siaaaaaaaa");
    static final Pattern JNDI = Pattern.compile("\\$\\{\\s*(?:jndi|ldap|rmi|dns|iiop|corba|nds|nis|http)\\s*:|jndi\\s*:\\s*(?:ldaps?|rmi|dns|iiop|corba|nds|nis|https?)\\s*:|\\$\\{\\s*(?:ctx|env|sys|java|main|bundle|log4j|date|marker|map|sd|spring|web|docker|k8s|base64|upper|lower|::-|event|jvmrunargs)\\s*:");
    static final Pattern DATA_URI = Pattern.compile("data:(?:text/html|text/javascript|application/javascript|application/x-httpd-php|application/x-php|text/x-php|image/svg\\+xml)[;,]");
    /** Windows batch control flow: {@code FOR [/D|/R|/L|/F ...] %x IN (...)} and {@code IF [/I] [NOT] EXIST|DEFINED|ERRORLEVEL|a==b}. */
    static final Pattern WIN_BATCH = Pattern.compile("(?:^|[&|;(\\n]\\s*)@?(?:for(?:\\s+/[dflr](?:\\s+(?:\"[^\"]*\"|[a-z]:\\\\[^\\s]*))?)*\\s+%%?[^\\s%]+%?\\s+in\\s*\\(|if(?:\\s*/i)?\\s+not\\s+defined\\s+\\S|if(?:\\s*/i)?(?:\\s+not)?\\s+(?:exist\\s+\\S|defined\\s+\\S+\\s+(?:\\(|@?(?:echo|set|goto|call|cmd|exit|del|copy|type|start|cd|md|rd|move|ren|pushd|popd|shift|if|for)\\b)|errorlevel\\s+\\d|cmdextversion\\s|\"[^\"]*\"\\s*(?:==|equ\\b|neq\\b|lss\\b|leq\\b|gtr\\b|geq\\b)|\\([^)]*\\)\\s*(?:==|equ\\b|neq\\b|lss\\b|leq\\b|gtr\\b|geq\\b)|\\[[^\\]]*\\]\\s*==|%[^%\\s]+%\\s*(?:==|equ\\b|neq\\b|lss\\b|leq\\b|gtr\\b|geq\\b)|[a-z0-9_]+==[a-z0-9_]+\\s+\\S))");
    /** Shell fork bomb: a function whose body pipes itself into itself in the background. */
    static final Pattern FORK_BOMB = Pattern.compile("\\(\\s*\\)\\s*\\{[^}]{0,20}\\|[^}]{0,20}&\\s*;?\\s*\\}\\s*;");
    /** A command prefix (sudo, nohup, time, env ...) followed by a command word. */
    static final Pattern CMD_PREFIX = Pattern.compile("(?:^|[;|&`\\n(]\\s*)(sudo|doas|nohup|xargs|strace|timeout\\s+\\d+[a-z]?|time|env|exec|nice|watch|command|builtin)\\s+(?:-[a-z-]+\\s+)*([a-z0-9_.-]+)");
    /** A command word at the start of a command, then up to three words, then an option ({@code ansible all -m ping}). */
    static final Pattern CMD_OPTION = Pattern.compile("(?:^|[;|&`\\n]\\s*)([a-z0-9_.-]+)\\s+(?:[a-z0-9_.,=/-]+\\s+){0,3}--?[a-z]");
    static final Set<String> PREFIX_ENGLISH = Set.of("time", "env", "exec", "nice", "watch", "command", "builtin");
    /** Names of SQL built-in functions (MySQL, PostgreSQL, MSSQL, Oracle, SQLite). */
    static final String SQL_FUNCS = "abs|acos|ascii|asin|atan2?|avg|benchmark|bin|bit_and|bit_count|bit_length|bit_or|cast|ceil|ceiling"
            + "|char|char_length|character_length|charindex|chr|coalesce|compress|concat|concat_ws|conv|convert|cos|cot|count|crc32"
            + "|current_database|current_date|current_schema|current_setting|current_time|current_timestamp|current_user|database"
            + "|date|date_add|date_format|date_sub|datediff|day|dayname|dayofmonth|dayofweek|dayofyear|db_name|decode|degrees|elt|encode"
            + "|exp|export_set|extractvalue|field|find_in_set|floor|format|from_base64|from_unixtime|group_concat|has_dbs_access"
            + "|hex|hour|if|ifnull|iif|inet_aton|inet_ntoa|insert|instr|is_srvrolemember|isnull|json_array|json_build_object"
            + "|json_extract|json_keys|json_object|lcase|left|len|length|ln|load_file|local|localtime|locate|log|log10|log2|lower|lpad"
            + "|ltrim|make_set|makedate|master_pos_wait|max|md5|mid|min|minute|mod|month|name_const|now|nullif|nvl|oct|octet_length"
            + "|ord|overlay|password|pg_read_file|pg_sleep|pi|position|pow|power|quarter|quote|quotename|radians|rand|randomblob"
            + "|regexp_like|regexp_replace|regexp_substr|repeat|replace|replicate|reverse|right|round|row_count|rpad|rtrim|schema"
            + "|sec_to_time|second|session_user|sha|sha1|sha2|sign|sin|sleep|soundex|space|sqrt|starts_with|std|stddev|str_to_date"
            + "|strcmp|stuff|subdate|substr|substring|substring_index|sum|suser_name|sys_context|sysdate|system_user|tan|time"
            + "|time_to_sec|timestamp|to_base64|to_char|to_number|translate|trim|truncate|ucase|uncompress|unhex|unicode|unistr"
            + "|updatexml|upper|user|user_name|utl_http\\.request|utl_inaddr\\.get_host_address|uuid|values|version|week|weekday"
            + "|xmltype|year|yearweek|zeroblob";
    /** A SQL function name directly (or behind comments / a dotted or bracketed suffix) followed by an opening parenthesis. */
    static final Pattern SQL_FUNC_CALL = Pattern.compile("(?:^|[^a-z0-9_$.])(?:" + SQL_FUNCS + ")\\s*(?:[\\]\\.?=|&]{1,2}\\s*|/\\*.*?\\*/\\s*)*\\(");
    /** A boolean connector followed by a comparison: {@code and 1!=}, {@code || x ==}, {@code &&(e===}, {@code OR (7=8)}. */
    static final Pattern SQL_CHAIN = Pattern.compile("(?:^|[\\s(/'\"])(?:and|or|&&|\\|\\|)\\s*\\(*\\s*[a-z0-9_@.`\"]+\\s*(?:===?|!==?|<>|<=>|=\\s*!|!=|[<>]=?|=\\s*['\"(]|=\\s*\\d+\\s*(?:=|\\)|$))"
            + "|;\\s*(?:update\\s+[a-z_`\"]+|drop(?:\\s|$)|insert\\s+into|delete\\s+from|truncate\\s|alter\\s+table)|(?:^|;)\\s*set\\s+@@?[a-z_]+"
            + "|^\\s*(?:and|or|&&|\\|\\|)\\s+[a-z_][a-z0-9_]*\\s*(?:!=|<>|=)\\s*['\"]");
    /** Database procedures and types that only appear in SQL: {@code xp_cmdshell}, {@code sp_executesql}, {@code openrowset} ... */
    static final Pattern SQL_PROCS = Pattern.compile("\\b(?:xp_[a-z]+|sp_(?:executesql|password|oacreate|oamethod|configure|makewebtask|addextendedproc|adduser|addlogin|addsrvrolemember|helpdb|who)|openrowset|opendatasource|openquery|nvarchar|dbms_[a-z_]+\\.|utl_(?:http|inaddr|file)|sys\\.(?:objects|tables|columns|databases)|information_schema|pg_catalog|mysql\\.user|sqlite_master|msysobjects)\\b");
    /** PostgreSQL JSON operators applied to a quoted JSON literal or to a {@code ::json(b)} cast. */
    static final Pattern SQL_JSON_OP = Pattern.compile("'\\s*[\\[{][^']*'\\s*(?:::\\s*jsonb?\\s*)?(?:/\\*.*?\\*/\\s*)?(?:<@|@>|\\?[&|]?|#>>?|->>?|@@|@\\?|\\|\\|)\\s*(?:/\\*.*?\\*/\\s*)?['a-z\\d]|::\\s*jsonb?\\s*(?:<@|@>|\\?[&|]?|#>>?|->>?|@@|\\|\\||[<>]=?|=)");
    /** A select-list alias closed by FROM: {@code ) AS total FROM}. */
    static final Pattern SQL_ALIAS_FROM = Pattern.compile("[)'\"`!;]\\s*as\\s+['\"`]?[a-z0-9_]+['\"`]?\\s+from\\b|\\bfrom\\s+`[^`]+`\\s*\\.\\s*`?[a-z0-9_]+`?");
    /** Perl code interpolated into a string: {@code @{[ ... ]}}. */
    static final Pattern PERL_INTERP = Pattern.compile("@\\{\\s*\\[");
    /** Loopback and container-host names used without a scheme (SSRF): {@code localhost/}, {@code host.docker.internal/}. */
    static final Pattern SSRF_HOSTNAME = Pattern.compile("^(?:[a-z]+://)?(?:localhost[46]?(?:\\.localdomain[46]?)?|ip6-localhost|ipv6-localhost|ip6-loopback|host\\.docker\\.internal|gateway\\.docker\\.internal|host\\.containers\\.internal|kubernetes\\.default(?:\\.svc)?(?:\\.cluster\\.local)?|metadata\\.google\\.internal)\\.?(?::\\d+)?/");
    /** URL parser confusion: an '@' after the path started, or two '@' in the authority. */
    static final Pattern URL_CONFUSION = Pattern.compile("^(?:https?|ftps?)://[^\\s/@]+/:[^\\s/]*@|^(?:https?|ftps?)://[^\\s@/]*@[^\\s@/]*@|^(?:https?|ftps?)://[^\\s/@]*[\\s#&][^/]*@");
    /** Upload file-name headers (X-Filename, X-File-Name, X_Filename ...). */
    static final Pattern FILENAME_HEADER = Pattern.compile("x[-_.]?file[-_.]?name$");
    /** GraphQL introspection: the schema meta-fields. */
    static final Pattern GRAPHQL_INTROSPECTION = Pattern.compile("\\b__schema\\s*\\{|\\b__type\\s*\\(\\s*name|\\bintrospectionquery\\b");
    /** VBScript / classic-ASP code: error suppression, script objects, Execute/Eval of strings. */
    static final Pattern VBSCRIPT = Pattern.compile("on\\s+error\\s+resume\\s+next|server\\.(?:scripttimeout|createobject|mappath)|createobject\\s*\\(\\s*\"(?:wscript|scripting|adodb|msxml2|shell\\.application)|\\bexecute(?:global)?\\s*\\(\\s*\"|response\\.(?:write|binarywrite)\\s*\\(");
    /** XML Schema include/import/redefine or schemaLocation fetching a remote document (XXE/SSRF through schema resolution). */
    static final Pattern XSD_REMOTE = Pattern.compile("<[a-z0-9_]*:?(?:include|import|redefine)\\b[^>]*\\b(?:schemalocation|namespace|href)\\s*=\\s*['\"](?:https?|ftp|file)://");
    static final Pattern XSI_SCHEMA_REMOTE = Pattern.compile("\\bschemalocation\\s*=\\s*['\"][^'\"]*(?:https?|ftp|file)://");
    /** Out-of-band interaction (OAST) collector domains used to confirm blind injections. */
    static final PhraseMatcher OAST = PhraseMatcher.of(".burpcollaborator.net", ".oastify.com", ".interact.sh", ".oast.fun",
            ".oast.me", ".oast.pro", ".oast.live", ".oast.site", ".oast.online", ".interactsh.com", ".dnslog.cn", ".ceye.io",
            ".requestbin.net", ".canarytokens.com", ".bxss.me", ".xss.ht", ".dnslog.link", ".eyes.sh", ".webhook.site",
            "burpcollaborator.net", "oastify.com");
    /** An XML document declaring UTF-7 (used to hide markup from filters). */
    static final Pattern XML_UTF7 = Pattern.compile("<\\?xml[^>]*encoding\\s*=\\s*['\"]?utf-7");
    /** Bash-only syntax: parameter-expansion operators, arithmetic {@code $[...]}, process substitution, $SHELL/$BASH. */
    static final Pattern BASH_SYNTAX = Pattern.compile("\\$\\{[a-z_][a-z0-9_]*(?:[#%/^,]{1,2}|:[-=+?]|:\\d)[^}]*\\}|\\$\\[[^\\]]*\\]|(?:^|[\\s;|&])[<>]\\(\\s*[a-z]+[\\s)]|\\$\\{?(?:shell|bash|ifs)\\b\\}?");
    /** A path glob with a bracket class spliced into a word: {@code /bi[n]/bash}, {@code /etc/[!p]asswd}. */
    static final Pattern BRACKET_GLOB = Pattern.compile("(?:^|[\\s;|&`(=])/[a-z0-9/]*(?:[a-z]\\[!?\\^?[a-z0-9-]+\\]|\\[!?\\^?[a-z0-9-]+\\][a-z])[a-z0-9\\[\\]!/-]*");
    /** SQLite shell dot-commands on a new statement. */
    static final Pattern SQLITE_DOT = Pattern.compile("(?:^|[\\n;])\\s*\\.(?:shell|system|databases|tables|dump|import|output|load|once|read|open)\\b");
    /** Shell alias definition. */
    static final Pattern SHELL_ALIAS = Pattern.compile("(?:^|[;&|\\n`(])\\s*alias\\s+(?:[+-][a-z+]+\\s+)*[a-z0-9_.-]+=");
    /** Bash brace expansion used to build a command or a path: {@code {,ip,a}}, {@code c{a,oun}t}. */
    static final Pattern BRACE_EXPANSION = Pattern.compile("(?:^|[\\s;|&`])[a-z/]*\\{[a-z0-9_/?*.-]*,[a-z0-9_/?*.,#-]*\\}[a-z0-9/{},?*.-]*(?:$|[\\s;|&])");
    /** Variable assignment followed by a separator. */
    static final Pattern SHELL_ASSIGN = Pattern.compile("(?:^|[;&|\\n`])\\s*([a-z_][a-z0-9_]*)=[^;&|\\n]*(?:;|&&|\\|\\||\\n)");
    static final Pattern SCHEME_URL = Pattern.compile("^(?:https?|ftps?)://([^/?#\\s]+)");

    static List<Rule> valueRules() {
        List<Rule> r = new ArrayList<>();
        Rule.Detector winBatch = regex(WIN_BATCH, LOW);
        // ---- 930 LFI / traversal
        r.add(new Rule(930100, "lfi", CRITICAL, 1, INPUT_PATH | URI | ALL_HEADERS, C_PCT | C_DIGIT,
                unlessClasses(new int[] {C_HIGH}, ENCODED_TRAVERSAL_MARKS, View.RAW,
                        v -> inWindows(v.raw, Rules::encodedTraversal))));
        r.add(new Rule(930110, "lfi", CRITICAL, 1, INPUT_PATH, C_SLASH | C_BSLASH, Rules::traversal));
        r.add(new Rule(930120, "lfi", CRITICAL, 1, INPUT_PATH, C_SLASH | C_DOT | C_BSLASH,
                anchored(OS_FILES_LIST, PATHV, Rules::osFile))); // osFile reports only an OS_FILES phrase of the path view
        r.add(new Rule(930121, "lfi", CRITICAL, 1, INPUT_PATH | URI, C_PCT | C_DOT | C_BSLASH | C_HIGH | C_DIGIT,
                unlessClasses(new int[] {C_HIGH}, OBFUSCATED_TRAVERSAL_MARKS, View.RAW,
                        v -> inWindows(v.raw, Rules::obfuscatedTraversal))));
        r.add(new Rule(930130, "lfi", CRITICAL, 1, PATH, C_SLASH, phrase(RESTRICTED_PATH, PATHV)));
        r.add(new Rule(930140, "lfi", CRITICAL, 1, INPUT_PATH, C_COLON, phrase(WRAPPERS, LOW)));
        // ---- 931 RFI
        r.add(new Rule(931100, "rfi", CRITICAL, 1, ARG | COOKIE | XHDR | BODY, C_COLON, regex(RFI_IP, LOW)));
        r.add(new Rule(931110, "rfi", CRITICAL, 1, ARG | ARG_NAME | BODY, C_COLON | C_PAREN | C_BRACKET,
                v -> v.plain() && v.raw.indexOf("//") < 0 && !v.nameContains("//") ? null // see rfiInclude
                        : inWindows(v.low(), l -> rfiInclude(v, l))));
        r.add(new Rule(931120, "rfi", CRITICAL, 1, ARG | COOKIE | XHDR, C_COLON, regex(RFI_QMARK, LOW)));
        // ---- 932 RCE
        r.add(new Rule(932100, "rce", CRITICAL, 1, INPUT_PATH, SPECIAL, COMMAND_INJECTION));
        r.add(new Rule(932130, "rce", CRITICAL, 1, INPUT, SPECIAL, phrase(SHELL_EXPR, SHELL)));
        r.add(new Rule(932170, "shellshock", CRITICAL, 1, EVERYTHING, C_PAREN, requiring(C_PAREN | C_BRACE, regex(SHELLSHOCK, DEC))));
        r.add(new Rule(932171, "shellshock", CRITICAL, 1, EVERYTHING, C_PAREN,
                requiring(C_PAREN | C_BRACE | C_SEMI, regex(SHELLSHOCK_ANY, LOW))));
        r.add(new Rule(932140, "rce", CRITICAL, 1, INPUT, C_PERCENT_OR_EQ,
                likeRegex(WIN_BATCH, LOW, v -> batchKeywordAtStart(v.low()) ? winBatch.test(v) : null)));
        r.add(new Rule(932390, "rce", CRITICAL, 1, INPUT | UA | REFERER, C_PAREN,
                requiring(C_PAREN | C_BRACE | C_PIPE | C_AMP | C_SEMI, regex(FORK_BOMB, SHELL))));
        r.add(new Rule(932235, "rce", CRITICAL, 1, INPUT | UA | REFERER, C_SPACE | C_PLUS | C_PCT,
                anchored(CMD_STRONG, SHELL, v -> inWindows(v.shell(), Rules::commandWithPrefixOrOption))));
        r.add(new Rule(932161, "rce", CRITICAL, 1, UA | REFERER, SPECIAL, COMMAND_INJECTION));
        r.add(new Rule(932162, "rce", CRITICAL, 1, UA | REFERER, SPECIAL, phrase(SHELL_EXPR, SHELL)));
        r.add(new Rule(930122, "lfi", CRITICAL, 1, UA | REFERER, C_SLASH | C_DOT | C_BSLASH,
                // a URL (the usual Referer) is left to the URL rules; the raw test settles it before the path view
                // is built: URL-, entity- and backslash-decoding keep a leading `http` as it is
                new GatedDetector(OS_FILES_LIST.toArray(String[]::new), PATHV,
                        Rules::startsWithHttp, v -> v.low().startsWith("http") ? null : osFile(v))));
        r.add(new Rule(932131, "rce", CRITICAL, 1, INPUT, C_DOLLAR | C_LT | C_GT, regex(BASH_SYNTAX, LOW)));
        r.add(new Rule(932132, "rce", CRITICAL, 1, INPUT, C_BRACKET, regex(BRACKET_GLOB, LOW)));
        r.add(new Rule(932210, "rce", CRITICAL, 1, INPUT, C_DOT, regex(SQLITE_DOT, DEC_LOWER)));
        r.add(new Rule(932175, "rce", CRITICAL, 1, INPUT, C_EQ, regex(SHELL_ALIAS, LOW)));
        r.add(new Rule(932280, "rce", CRITICAL, 2, INPUT, C_BRACE, regex(BRACE_EXPANSION, LOW)));
        r.add(new Rule(932240, "rce", CRITICAL, 1, INPUT | UA | REFERER, C_DOLLAR, v -> inWindows(v.low(), Rules::assembledCommand)));
        r.add(new Rule(932200, "rce", CRITICAL, 2, INPUT, C_STAR | C_OTHER_ANY, regex(SHELL_GLOB, SHELL)));
        // ---- 933 PHP
        r.add(new Rule(933100, "php", CRITICAL, 1, INPUT_PATH, C_LT | C_BRACKET, regex(PHP_OPEN, LOW)));
        r.add(new Rule(933110, "php", CRITICAL, 1, FILE, C_DOT, v -> phpFile(v.low())));
        r.add(new Rule(933120, "php", CRITICAL, 1, INPUT, C_EQ, v -> phpIni(v.low())));
        r.add(new Rule(933130, "php", CRITICAL, 1, INPUT_PATH, C_DOLLAR | C_COLON, phrase(PHP_VARS, LOW)));
        // phpCall reports only a phrase of its list found in the lower-cased decoded view: those are its literals
        r.add(new Rule(933150, "php", CRITICAL, 1, INPUT_PATH, C_PAREN,
                anchored(List.of(PHP_FUNCS_STRONG.phrases()), DEC_LOWER, v -> phpCall(v, PHP_FUNCS_STRONG, false))));
        r.add(new Rule(933160, "php", CRITICAL, 1, INPUT_PATH, C_PAREN,
                anchored(List.of(PHP_FUNCS_WEAK.phrases()), DEC_LOWER, v -> phpCall(v, PHP_FUNCS_WEAK, true))));
        r.add(new Rule(933170, "php", CRITICAL, 1, INPUT | HEADER, C_COLON, regex(PHP_SERIAL, LOW)));
        r.add(new Rule(933210, "php", CRITICAL, 1, INPUT, C_DOLLAR, regex(PHP_VARFUNC, DEC_LOWER)));
        // ---- 934 generic: node, SSRF, prototype pollution, ruby, SSTI
        r.add(new Rule(934100, "node", CRITICAL, 1, INPUT, C_PAREN | C_DOT | C_GT | C_EQ,
                anchored(List.of(NODE.phrases()), LOW, Rules::nodeInjection))); // needs a NODE phrase first
        r.add(new Rule(934110, "ssrf", CRITICAL, 1, ARG | COOKIE | XHDR | BODY, C_COLON, regex(SSRF, LOW)));
        r.add(new Rule(934120, "ssrf", CRITICAL, 1, ARG | COOKIE | XHDR, C_COLON, regex(SSRF_SCHEME, LOW)));
        r.add(new Rule(934130, "prototype-pollution", CRITICAL, 1, INPUT, C_ALPHA, phrase(PROTO, LOW)));
        r.add(new Rule(934140, "ruby", CRITICAL, 1, INPUT, C_DOT | C_PAREN | C_BRACE | C_COLON, phrase(RUBY, LOW)));
        r.add(new Rule(934160, "node", CRITICAL, 1, INPUT_PATH, C_PAREN, regex(NODE_DOS, LOW)));
        r.add(new Rule(934170, "php", CRITICAL, 1, ARG | COOKIE | XHDR, C_COLON, regex(DATA_URI, LOW)));
        r.add(new Rule(934200, "ssti", CRITICAL, 1, INPUT_PATH, C_BRACE | C_LT | C_PAREN | C_HASH, regex(SSTI, LOW)));
        // ---- 936 NoSQL, LDAP, SSI, mail, XXE
        r.add(new Rule(936100, "nosql", CRITICAL, 1, ARG_NAME | COOKIE_NAME, C_DOLLAR, regex(NOSQL_NAME, LOW)));
        r.add(new Rule(936110, "nosql", CRITICAL, 1, INPUT_PATH, C_DOLLAR | C_PIPE | C_AMP | C_SEMI | C_EQ | C_PAREN, regex(NOSQL_VAL, LOW)));
        r.add(new Rule(936120, "ldap", CRITICAL, 1, ARG | COOKIE | XHDR | BODY | PATH, C_PAREN | C_STAR | C_COLON, regex(LDAP, LOW)));
        r.add(new Rule(936130, "ssi", CRITICAL, 1, INPUT_PATH | HEADER, C_LT, regex(SSI, LOW)));
        r.add(new Rule(936140, "mail", CRITICAL, 1, ARG | COOKIE | XHDR | BODY, C_CTRL | C_DASH, gatedRegex(MAIL, DEC_LOWER, Rules::noMailShape)));
        r.add(new Rule(936150, "xxe", CRITICAL, 1, INPUT | PATH, C_LT, regex(XXE, LOW)));
        // ---- 941 XSS, 942 SQLi (detectors written elsewhere)
        r.add(new Rule(941100, "xss", CRITICAL, 1, INPUT_PATH | UA | REFERER, SPECIAL,
                unlessClasses(CrossSiteScripting.LITERAL_BYPASS.clone(), CrossSiteScripting.wordLiterals(), DEC, Rules::xss)));
        r.add(new Rule(942100, "sqli", CRITICAL, 1, INPUT_PATH & ~FILE, ~0, v -> sqli(v)));
        r.add(new Rule(942151, "sqli", CRITICAL, 2, ARG | ARG_NAME | COOKIE | BODY, C_PAREN,
                likeRegex(SQL_FUNC_CALL, LOW, v -> inWindows(v.low(), Rules::sqlFunctionCall)))); // reports only SQL_FUNC_CALL matches
        r.add(new Rule(942210, "sqli", CRITICAL, 2, ARG | ARG_NAME | COOKIE | BODY, C_EQ | C_LT | C_GT | C_SEMI | C_SPACE | C_PLUS | C_PIPE | C_AMP, regex(SQL_CHAIN, LOW)));
        r.add(new Rule(942470, "sqli", CRITICAL, 2, ARG | ARG_NAME | COOKIE | BODY | PATH, C_ALPHA, regex(SQL_PROCS, LOW)));
        r.add(new Rule(942550, "sqli", CRITICAL, 1, INPUT_PATH, C_QUOTE | C_COLON, regex(SQL_JSON_OP, LOW)));
        r.add(new Rule(942362, "sqli", CRITICAL, 2, ARG | ARG_NAME | COOKIE | BODY, C_SPACE | C_PLUS | C_PCT, regex(SQL_ALIAS_FROM, LOW)));
        r.add(new Rule(934141, "perl", CRITICAL, 1, INPUT | COOKIE_NAME, C_BRACE | C_BRACKET, regex(PERL_INTERP, LOW)));
        r.add(new Rule(934190, "ssrf", CRITICAL, 1, ARG | COOKIE | XHDR | BODY, C_SLASH, regex(SSRF_HOSTNAME, LOW)));
        r.add(new Rule(934121, "ssrf", CRITICAL, 1, ARG | COOKIE | XHDR, C_AT_ANY | C_COLON, regex(URL_CONFUSION, LOW)));
        r.add(new Rule(933111, "php", CRITICAL, 1, XHDR, C_DOT | C_ALPHA, Rules::uploadNameHeader));
        r.add(new Rule(930131, "lfi", CRITICAL, 2, PATH, C_SLASH, Rules::hiddenPathSegment));
        r.add(new Rule(934180, "graphql", CRITICAL, 1, ARG | BODY, C_ALPHA, regex(GRAPHQL_INTROSPECTION, LOW)));
        r.add(new Rule(933190, "asp", CRITICAL, 1, INPUT | URI, C_SPACE | C_PCT | C_PAREN | C_DOT | C_PLUS, regex(VBSCRIPT, LOW)));
        r.add(new Rule(936151, "xxe", CRITICAL, 1, BODY, C_LT, regex(XSD_REMOTE, LOW)));
        r.add(new Rule(936152, "xxe", CRITICAL, 2, BODY, C_LT, regex(XSI_SCHEMA_REMOTE, LOW)));
        r.add(new Rule(934210, "oast", CRITICAL, 1, INPUT | UA | REFERER | HEADER, C_DOT, phrase(OAST, LOW)));
        r.add(new Rule(936153, "xxe", CRITICAL, 1, BODY | ARG, C_LT, regex(XML_UTF7, LOW)));
        // ---- 943 session fixation
        r.add(new Rule(943100, "session-fixation", CRITICAL, 1, INPUT_PATH, C_DOT | C_EQ | C_COLON, regex(SESSION_SET, LOW)));
        // ---- 944 Java / JNDI
        r.add(new Rule(944100, "java", CRITICAL, 1, INPUT_PATH | HEADER | HEADER_NAME | COOKIE_NAME, C_DOT | C_PAREN | C_HASH | C_AT, phrase(JAVA, LOW)));
        r.add(new Rule(944110, "java", CRITICAL, 1, INPUT_PATH | HEADER | HEADER_NAME | COOKIE_NAME, C_DOT, regex(JAVA_CLASS, LOW)));
        r.add(new Rule(944130, "java", CRITICAL, 1, INPUT_PATH | HEADER, C_BRACE | C_PAREN | C_HASH, regex(OGNL, LOW)));
        r.add(new Rule(944150, "log4shell", CRITICAL, 1, EVERYTHING, C_DOLLAR | C_BRACE, regex(JNDI, JNDIV)));
        r.add(new Rule(944210, "java", CRITICAL, 1, INPUT | COOKIE_NAME, C_ALPHA | C_HIGH, regex(JAVA_DESER, LOW)));
        // ---- 921 protocol attack inside values
        r.add(new Rule(921110, "protocol-attack", CRITICAL, 1, ARG | COOKIE | XHDR | BODY, C_CTRL, regex(SMUGGLE, DEC_LOWER)));
        r.add(new Rule(921120, "crlf", CRITICAL, 1, ARG | ARG_NAME | COOKIE | XHDR | PATH, C_CTRL, regex(CRLF_HDR, DEC_LOWER)));
        r.add(new Rule(921130, "crlf", CRITICAL, 1, ARG | ARG_NAME | COOKIE | XHDR | PATH, C_CTRL, regex(CRLF_BODY, DEC_LOWER)));
        r.add(new Rule(921150, "crlf", CRITICAL, 1, ARG_NAME | COOKIE_NAME, C_CTRL, v -> ctrlNewline(v.dec())));
        r.add(new Rule(921151, "crlf", CRITICAL, 2, ARG | COOKIE, C_CTRL, regex(CRLF_ANY_HDR, DEC_LOWER)));
        r.add(new Rule(921190, "protocol-attack", CRITICAL, 1, PATH, C_CTRL, v -> ctrlNewline(v.dec())));
        // ---- 920 malformed-value signals
        // reads the raw value: a NUL, or "%00" / "%2500" still encoded (which decoding removes)
        r.add(new Rule(920270, "protocol", CRITICAL, 1, ARG | ARG_NAME | URI | PATH | COOKIE, C_CTRL | C_PCT, v -> nullByte(v)));
        // ---- 913 scanners
        r.add(new Rule(913100, "scanner", CRITICAL, 1, UA | XHDR | HEADER_NAME, C_ALPHA, phrase(SCANNERS, LOW)));
        // The SQL and HTML tokenizers first: they decide most attacks, so in block mode (which stops at the
        // threshold) an injection rarely pays for the regex families behind them.
        r.sort(java.util.Comparator.comparingInt(rule -> rule.id() == 942100 || rule.id() == 941100 ? 0 : 1));
        return List.copyOf(r);
    }

    private static final int C_AT_ANY = C_OTHER_ANY;
    private static final int C_PERCENT_OR_EQ = C_PCT | C_EQ | C_SPACE | C_PLUS;
    static final View DEC_LOWER = View.DEC_LOWER;

    // ---------- detectors ----------

    /** The escapes {@link #encodedTraversal} looks for: it can only match a value holding one of them. */
    private static final List<String> ENCODED_TRAVERSAL = List.of("%2e%2e", "%252e", "..%2f", "..%5c", "..%252f",
            "..%255c", "%c0%ae", "%c0%af", "%c1%9c", "%c1%1c", "%e0%80%ae", "%uff0e", "%u2215", "%u2216", "%u002e",
            "%2e.", ".%2e", "%2f..", "%5c..", "..%c0%af", "..%c1%9c", "%f0%80%80%ae", "%%32%65");
    /** Hexadecimal escapes of the dot, slash and backslash that some decoders honour. */
    private static final String[] HEX_SEPARATORS = {"0x2e", "0x5c", "0x2f"};
    /** The literal filter of {@link #encodedTraversal}: it reads these lists, so the two cannot drift apart. */
    private static final List<String> ENCODED_TRAVERSAL_MARKS = concat(ENCODED_TRAVERSAL, List.of(HEX_SEPARATORS));
    /**
     * The markers {@link #obfuscatedTraversal} needs in an ASCII value (any non-ASCII character also lets it run);
     * the detector reads this list, and it is the rule's literal filter as well.
     */
    private static final String[] OBFUSCATED_TRAVERSAL_MARKERS = {"..", "%c0", "%c1", "%e0", "%u", "%2e", "%5c",
        "\\", "%25", "?.", "0x2e", "0x5c", "0x2f"};
    private static final List<String> OBFUSCATED_TRAVERSAL_MARKS = List.of(OBFUSCATED_TRAVERSAL_MARKERS);

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> l = new ArrayList<>(a);
        l.addAll(b);
        return List.copyOf(l);
    }

    static String encodedTraversal(String raw) {
        if (raw.indexOf('%') < 0 && !hasHexPrefix(raw)) {
            return null; // both forms below need a percent escape or a 0x escape
        }
        String l = raw.toLowerCase(Locale.ROOT);
        if (containsAny(l, HEX_SEPARATORS)) {
            String n = l.replace("0x2e", ".").replace("0x2f", "/").replace("0x5c", "/").replace('\\', '/');
            if (n.contains("../") || n.contains("/..") || n.contains("/./")) {
                return frag(raw, 0, 60);
            }
        }
        if (l.indexOf('%') < 0) {
            return null;
        }
        for (String p : ENCODED_TRAVERSAL) {
            int i = l.indexOf(p);
            if (i >= 0) {
                return frag(raw, i - 10, i + 30);
            }
        }
        return null;
    }

    private static boolean hasHexPrefix(String s) {
        for (int i = s.indexOf('0'); i >= 0 && i + 1 < s.length(); i = s.indexOf('0', i + 1)) {
            if ((s.charAt(i + 1) | 0x20) == 'x') {
                return true;
            }
        }
        return false;
    }

    static final PhraseMatcher SKELETON_FILES = PhraseMatcher.of("/etc/passwd", "/etc/shadow", "/etc/issue",
            "/etc/hosts", "/etc/group", "/boot/ini", "/win/ini", "/system/ini", "/windows/system32",
            "/winnt/system32", "/proc/self/", "/etc/motd", "/etc/crontab");

    /**
     * Traversal hidden by broken or exotic encodings ({@code %c1%1c}, {@code %c0%qf}, {@code 0x2e}, fullwidth dots):
     * separators and escapes collapsed to '/', a sensitive file name must follow and a traversal marker be present.
     */
    static String obfuscatedTraversal(String r) {
        // the markers below, tested on the raw text before paying for a lower-cased copy
        if (r.indexOf('%') < 0 && r.indexOf("..") < 0 && r.indexOf('\\') < 0 && r.indexOf("?.") < 0
                && !hasHexPrefix(r) && !hasNonAscii(r)) {
            return null;
        }
        String l = r.toLowerCase(Locale.ROOT);
        if (!containsAny(l, OBFUSCATED_TRAVERSAL_MARKERS) && !hasNonAscii(l)) {
            return null;
        }
        StringBuilder sk = new StringBuilder("/");
        for (int i = 0; i < l.length(); i++) {
            char c = l.charAt(i);
            if (c == '%' && i + 2 < l.length()) {
                i += (l.charAt(i + 1) == 'u' && i + 5 < l.length()) ? 5 : 2;
                c = '/';
            } else if (c == '0' && (l.startsWith("0x2e", i) || l.startsWith("0x2f", i) || l.startsWith("0x5c", i))) {
                i += 3;
                c = '/';
            }
            boolean alnum = c >= 'a' && c <= 'z' || c >= '0' && c <= '9';
            if (c == ' ' || c == '+' || c == '\t') {
                sk.append('#'); // words of a sentence are not path segments
            } else if (!alnum) {
                if (sk.charAt(sk.length() - 1) != '/') {
                    sk.append('/');
                }
            } else {
                sk.append(c);
            }
        }
        String f = SKELETON_FILES.find(sk);
        return f == null ? null : frag(r, 0, 80);
    }

    private static boolean hasNonAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return true;
            }
        }
        return false;
    }

    static String traversal(Value v) {
        String p = v.path();
        int n = p.length();
        for (int i = p.indexOf(".."); i >= 0; i = p.indexOf("..", i + 2)) {
            int after = i + 2;
            while (after < n && p.charAt(after) == '.') {
                after++;
            }
            boolean sepAfter = after >= n ? i > 0 && p.charAt(i - 1) == '/' : (p.charAt(after) == '/' || p.charAt(after) == ';');
            boolean sepBefore = i == 0 || p.charAt(i - 1) == '/' || p.charAt(i - 1) == '.' || p.charAt(i - 1) == '=' || p.charAt(i - 1) == ' ' || p.charAt(i - 1) == ':';
            if (sepAfter && (sepBefore || after < n)) {
                if ((v.kind & PATH) != 0 && !(sepBefore && after < n)) {
                    continue;
                }
                return frag(p, i - 10, i + 40);
            }
        }
        return null;
    }

    static String osFile(Value v) {
        String p = v.path();
        String[] hit = new String[1];
        OS_FILES.scan(p, (idx, end) -> {
            String ph = OS_FILES.phrase(idx);
            int start = end - ph.length();
            // require a boundary before the phrase (start, slash, dot-dot, or non-word)
            char before = start == 0 ? '/' : p.charAt(start - 1);
            if (ph.equals("/etc/") || ph.equals("/proc/") || ph.equals("/dev/null") || ph.equals("/root/")) {
                // generic directories need a file after them and a path-like start
                if (!(start == 0 || p.startsWith("..", Math.max(0, start - 2)) || before == '=' || before == ' '
                        || before == ':' || before == '\'' || before == '"')) {
                    return true;
                }
                if (end >= p.length() || !Character.isLetterOrDigit(p.charAt(end))) {
                    return true;
                }
            } else if (Character.isLetterOrDigit(before) && ph.charAt(0) != '/' && ph.charAt(0) != '.') {
                return true;
            } else if (ph.charAt(0) == '.' && !ph.endsWith("/") && end < p.length() && Character.isLetterOrDigit(p.charAt(end))) {
                return true;
            } else if ((v.kind & PATH) != 0 && (ph.equals("web.config") || ph.equals("php.ini"))) {
                return true;
            }
            hit[0] = frag(p, start - 10, end + 20);
            return false;
        });
        return hit[0];
    }

    static String rfiInclude(Value v, String l) {
        if (l.indexOf("//") < 0 && !v.nameContains("//")) {
            return null; // both forms below need "//" (a URL) in the name or the value
        }
        Matcher m = RFI_INCLUDE.matcher((v.kind & ARG) != 0 ? v.name().substring(v.name().indexOf(':') + 1).toLowerCase(Locale.ROOT) + "=" + l : l);
        if (m.find()) {
            return frag(l, m.start(), m.end());
        }
        if ((v.kind & ARG) != 0) {
            String name = v.name().toLowerCase(Locale.ROOT);
            int c = name.indexOf(':');
            String an = c >= 0 ? name.substring(c + 1) : name;
            if ((an.equals("include") || an.equals("inc") || an.equals("require") || an.equals("page")
                    || an.equals("file") || an.equals("template") || an.equals("path") || an.equals("load")
                    || an.equals("module") || an.equals("mod") || an.equals("dir") || an.equals("conf")
                    || an.endsWith("_path") || an.endsWith("_dir") || an.endsWith("root"))
                    && (l.startsWith("http://") || l.startsWith("https://") || l.startsWith("ftp://")
                    || l.startsWith("ftps://") || l.startsWith("//")) && (l.endsWith("?") || l.contains(".txt")
                    || l.contains(".php") || l.contains("shell"))) {
                return frag(l, 0, 80);
            }
        }
        return null;
    }

    /** {@code c} with ASCII capitals lower-cased. */
    private static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c | 0x20) : c;
    }

    private static boolean isWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    }

    private static boolean argShape(String s, int i) {
        // i: index just after the command word
        int n = s.length();
        if (i >= n) {
            return true;
        }
        char c = s.charAt(i);
        if (";|&<>`)\n\r}".indexOf(c) >= 0) {
            return true;
        }
        if (c != ' ' && c != '\t' && c != ',') {
            return false;
        }
        int j = i;
        while (j < n && (s.charAt(j) == ' ' || s.charAt(j) == '\t' || s.charAt(j) == ',')) {
            j++;
        }
        if (j >= n) {
            return true;
        }
        char a = s.charAt(j);
        if (a == '-' ) {
            return j + 1 < n && (Character.isLetterOrDigit(s.charAt(j + 1)) || s.charAt(j + 1) == '-');
        }
        if (a == '/' || a == '~' || a == '$' || a == '<' || a == '>' || a == '|' || a == ';' || a == '&' || a == '`' || a == '\\' || a == '%') {
            return true;
        }
        if (a == '.' && j + 1 < n && (s.charAt(j + 1) == '/' || s.charAt(j + 1) == '.')) {
            return true;
        }
        if (s.regionMatches(true, j, "http://", 0, 7) || s.regionMatches(true, j, "https://", 0, 8)
                || s.regionMatches(true, j, "ftp://", 0, 6)) {
            return true;
        }
        // Windows drive path
        return j + 2 < n && Character.isLetter(a) && s.charAt(j + 1) == ':' && (s.charAt(j + 2) == '\\' || s.charAt(j + 2) == '/');
    }

    /** The characters that can end a command before another: {@code ; | & ` CR LF} and the {@code (} or {@code {} of
     * {@code $( <( >( ${}. */
    private static final boolean[] MAY_SEPARATE = new boolean[128];

    static {
        for (char c : ";|&`\n\r({".toCharArray()) {
            MAY_SEPARATE[c] = true;
        }
    }

    /**
     * {@link #commandInjection(String)} on the shell view of {@code v}; a plain value is read as it is (the reading
     * ignores ASCII case), without building its lower-cased copy.
     */
    static String commandInjection(Value v) {
        return inWindows(v.plain() ? v.raw : v.shell(), Rules::commandInjection);
    }

    /**
     * A command invoked after a separator or at the start of {@code s}, as a fragment; null if none. ASCII case is
     * ignored, so the shell view and a plain raw value give the same answer.
     */
    static String commandInjection(String s) {
        int n = s.length();
        String f = commandAt(s, -1, false); // the value's first word
        for (int i = nextMaySeparate(s, 0); f == null && i >= 0; i = nextMaySeparate(s, i + 1)) {
            char c = s.charAt(i);
            boolean sep = c == ';' || c == '|' || c == '&' || c == '`' || c == '\n' || c == '\r'
                    || ((c == '(' || c == '{') && i > 0 && (s.charAt(i - 1) == '$' || s.charAt(i - 1) == '<' || s.charAt(i - 1) == '>'));
            if (sep) {
                f = commandAt(s, i, true);
            }
        }
        return f;
    }

    /**
     * Letters, digits, dots, dashes, colons and slashes: timestamps, dates and bare URLs, in which
     * {@link #commandInjection(Value)} cannot match and {@link #sqli} looks no further than their shape.
     */
    private static final int WORDS_AND_PATHS = C_ALPHA | C_DIGIT | C_DOT | C_DASH | C_COLON | C_SLASH;

    /**
     * {@link #commandInjection(Value)} for the engine, which runs it only on a value with a class outside
     * {@link #WORDS_AND_PATHS}. In a value of only those classes no character separates a second command, and
     * the first word can only be followed by one of them, which {@code argShape} never takes for an argument.
     * The candidate sets settle this once per set of classes, so a timestamp or a date costs nothing here.
     */
    private static final Rule.Detector COMMAND_INJECTION = new FilteredDetector(null, anyClassOf(~WORDS_AND_PATHS),
            View.LOW, Rules::commandInjection);

    /** Class masks (see {@link Rule.Detector#classMasks}) that hold when a value has any class of {@code classes}. */
    private static int[] anyClassOf(int classes) {
        return java.util.stream.IntStream.range(0, Integer.SIZE).map(bit -> 1 << bit)
                .filter(c -> (classes & c) != 0).toArray();
    }

    /** The index of the next character from {@code from} on that {@link #MAY_SEPARATE}, or -1: one tight loop. */
    private static int nextMaySeparate(String s, int from) {
        for (int i = from, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < 128 && MAY_SEPARATE[c]) {
                return i;
            }
        }
        return -1;
    }

    private static final int MAX_COMMAND_WORD = maxLength(CMD_STRONG, CMD_WEAK);
    private static final int STRONG = 1;
    private static final int WEAK = 2;
    /**
     * {@link #CMD_STRONG} and {@link #CMD_WEAK} as one open-addressing table probed with a region of the value, so
     * checking a word allocates nothing; strong wins for words in both.
     */
    private static final String[] COMMAND_TABLE = new String[1024];
    private static final byte[] COMMAND_KIND = new byte[1024];

    static {
        for (String w : CMD_STRONG) {
            putCommand(w, STRONG);
        }
        for (String w : CMD_WEAK) {
            putCommand(w, WEAK);
        }
    }

    private static void putCommand(String w, int kind) {
        int slot = commandSlot(w.hashCode());
        while (COMMAND_TABLE[slot] != null) {
            if (COMMAND_TABLE[slot].equals(w)) {
                return; // already strong
            }
            slot = (slot + 1) & (COMMAND_TABLE.length - 1);
        }
        COMMAND_TABLE[slot] = w;
        COMMAND_KIND[slot] = (byte) kind;
    }

    private static int commandSlot(int hash) {
        return (hash * 0x9E3779B9) >>> 22; // 10 bits
    }

    /** {@link #STRONG}, {@link #WEAK} or 0 for the word {@code s[from, to)}. */
    private static int commandKind(String s, int from, int to) {
        int len = to - from;
        if (len <= 0 || len > MAX_COMMAND_WORD) {
            return 0;
        }
        int h = 0;
        for (int i = from; i < to; i++) {
            h = 31 * h + lower(s.charAt(i));
        }
        for (int slot = commandSlot(h); COMMAND_TABLE[slot] != null; slot = (slot + 1) & (COMMAND_TABLE.length - 1)) {
            String k = COMMAND_TABLE[slot];
            if (k.length() == len && s.regionMatches(true, from, k, 0, len)) {
                return COMMAND_KIND[slot];
            }
        }
        return 0;
    }

    private static int maxLength(Set<String> a, Set<String> b) {
        int m = 0;
        for (String w : a) {
            m = Math.max(m, w.length());
        }
        for (String w : b) {
            m = Math.max(m, w.length());
        }
        return m;
    }

    /**
     * A command word after the separator at {@code i} ({@code -1}: the start of the value) with the shape of an
     * invocation, as a fragment; null otherwise.
     */
    static String commandAt(String s, int i, boolean strongSep) {
        int n = s.length();
        int j = i + 1;
        while (j < n && (s.charAt(j) == ' ' || s.charAt(j) == '\t' || s.charAt(j) == '(' || s.charAt(j) == '{'
                || s.charAt(j) == '!' || s.charAt(j) == '`' || s.charAt(j) == '\n' || s.charAt(j) == '\r'
                || s.charAt(j) == ';' || s.charAt(j) == '|' || s.charAt(j) == '&' || s.charAt(j) == '@')) {
            j++;
        }
        // optional absolute path prefix (/usr/bin/, c:\windows\system32\)
        int k = j;
        int lastSlash = -1;
        while (k < n && (isWordChar(lower(s.charAt(k))) || s.charAt(k) == '/' || s.charAt(k) == '\\' || s.charAt(k) == ':')) {
            if (s.charAt(k) == '/' || s.charAt(k) == '\\') {
                lastSlash = k;
            }
            k++;
        }
        int ws = lastSlash >= 0 ? lastSlash + 1 : j;
        int we = ws;
        while (we < n && isWordChar(lower(s.charAt(we)))) {
            we++;
        }
        if (we == ws) {
            return null;
        }
        if (we - ws > MAX_COMMAND_WORD + 5) {
            return null; // longer than any command, even with ".exe" and a trailing dot
        }
        int end = we;
        if (s.charAt(end - 1) == '.' || s.charAt(end - 1) == '-') {
            end--;
        }
        if (end - ws >= 4 && s.regionMatches(true, end - 4, ".exe", 0, 4) && commandKind(s, ws, end) != STRONG) {
            end -= 4;
        }
        int kind = commandKind(s, ws, end);
        if (kind == 0) {
            return null;
        }
        boolean strong = kind == STRONG;
        String word = s.substring(ws, end).toLowerCase(Locale.ROOT);
        int wordEnd = ws + word.length();
        boolean hit;
        if (i < 0) {
            // start of value: the command needs argument-like material after it
            hit = wordEnd < n && argShape(s, wordEnd) && (lastSlash >= 0 || strong || wordEnd < n);
            if (hit && lastSlash < 0 && wordEnd < n && ";|&)}".indexOf(s.charAt(wordEnd)) >= 0 && !strong) {
                hit = false;
            }
        } else if (strong && strongSep) {
            hit = wordEnd >= n || !Character.isLetterOrDigit(s.charAt(wordEnd)) && (argShape(s, wordEnd)
                    || s.charAt(wordEnd) == ' ' && wordEnd + 1 < n && Character.isLetterOrDigit(s.charAt(wordEnd + 1)) && lastSlash >= 0
                    || s.charAt(wordEnd) == ' ' && (word.length() >= 4 || word.equals("id") || word.equals("ls") || word.equals("sh")) && followedByToken(s, wordEnd));
        } else {
            hit = argShape(s, wordEnd);
        }
        return hit ? frag(s, Math.max(0, i), wordEnd + 40) : null;
    }

    /**
     * A SQL function call. Prose writes "a word (remark)" with a space before a closed parenthesis; that form only
     * counts when the parenthesis is left open (a probe or a truncated injection).
     */
    static String sqlFunctionCall(String l) {
        Matcher m = SQL_FUNC_CALL.matcher(l);
        while (m.find()) {
            int open = m.end() - 1;
            boolean spaced = open > 0 && Character.isWhitespace(l.charAt(open - 1));
            if (!spaced || l.indexOf(')', open) < 0) {
                return frag(l, m.start(), m.end() + 30);
            }
        }
        return null;
    }

    /** An executable script extension or a PHP session file in an upload file-name header. */
    static String uploadNameHeader(Value v) {
        String n = v.name().toLowerCase(Locale.ROOT);
        if (!FILENAME_HEADER.matcher(n).find()) {
            return null;
        }
        String l = v.low();
        int e = l.length();
        while (e > 0 && (l.charAt(e - 1) == '.' || l.charAt(e - 1) == ' ')) {
            e--;
        }
        String base = l.substring(0, e).replace(". ", ".");
        String slash = base.substring(base.lastIndexOf('/') + 1);
        if (slash.startsWith("sess_") || osFile(v) != null) {
            return frag(l, 0, 60);
        }
        int dot = base.lastIndexOf('.');
        if (dot < 0) {
            return null;
        }
        String ext = base.substring(dot + 1).trim();
        if (ext.matches("php\\d*|phtml|phar|pht|pgif|shtml|jspx?|jspf|aspx?|asa|cer|cgi|pl|htaccess")) {
            return frag(l, 0, 60);
        }
        return null;
    }

    /** A hidden (dot-named) directory or file in the request path, other than /.well-known/. */
    static String hiddenPathSegment(Value v) {
        String p = v.low();
        int q = p.indexOf('?');
        if (q >= 0) {
            p = p.substring(0, q);
        }
        for (String seg : p.split("/")) {
            if (seg.length() > 1 && seg.charAt(0) == '.' && seg.charAt(1) != '.' && !seg.equals(".well-known")) {
                return frag(p, p.indexOf(seg), p.indexOf(seg) + 40);
            }
        }
        return null;
    }

    /** A command assembled from shell variables: {@code a=/etc&&b=/passwd&&c=cat&&$c $a$b}, {@code a=nc&&$a -l}. */
    static String assembledCommand(String l) {
        Matcher m = SHELL_ASSIGN.matcher(l);
        while (m.find()) {
            String name = m.group(1);
            int at = l.indexOf("$" + name, m.end());
            if (at < 0) {
                at = l.indexOf("${" + name + "}", m.end());
            }
            if (at >= 0) {
                return frag(l, m.start(), at + name.length() + 20);
            }
        }
        return null;
    }

    /**
     * A command word behind a command prefix ({@code sudo}, {@code nohup}, {@code time} ...) or followed by an option.
     * Both branches only report a word of {@link #CMD_STRONG} found in the shell view: those words are its literals.
     */
    static String commandWithPrefixOrOption(String s) {
        if (!commandWordAtStart(s)) {
            return null;
        }
        Matcher m = CMD_PREFIX.matcher(s);
        while (m.find()) {
            String prefix = m.group(1);
            String word = m.group(2);
            if (word.endsWith(".exe")) {
                word = word.substring(0, word.length() - 4);
            }
            if (!CMD_STRONG.contains(word)) {
                continue;
            }
            if (!PREFIX_ENGLISH.contains(prefix) || m.end() >= s.length() || argShape(s, m.end())
                    || followedByToken(s, m.end())) {
                return frag(s, m.start(), m.end() + 30);
            }
        }
        m = CMD_OPTION.matcher(s);
        while (m.find()) {
            String word = m.group(1);
            if (word.length() >= 3 && CMD_STRONG.contains(word) && !word.equals("env")) {
                return frag(s, m.start(), m.end() + 30);
            }
        }
        return null;
    }

    private static final Set<String> COMMAND_PREFIXES = Set.of("sudo", "doas", "nohup", "xargs", "strace", "timeout",
            "time", "env", "exec", "nice", "watch", "command", "builtin");

    /**
     * Whether a word that {@link #CMD_PREFIX} or {@link #CMD_OPTION} could capture stands where they look for it: at
     * the start, or after {@code ; | & ` newline (} and blanks. Both regexes need that word (a prefix, or a command
     * of {@link #CMD_STRONG}) there, so without one neither can match and the regex engine is not started.
     */
    static boolean commandWordAtStart(String s) {
        int n = s.length();
        for (int i = -1; i < n; i++) {
            if (i >= 0) {
                char c = s.charAt(i);
                if (c != ';' && c != '|' && c != '&' && c != '`' && c != '\n' && c != '(') {
                    continue;
                }
            }
            int j = i + 1;
            while (j < n && isRegexSpace(s.charAt(j))) {
                j++;
            }
            int e = j;
            while (e < n && isWordChar(s.charAt(e))) {
                e++;
            }
            if (e > j && e < n && isRegexSpace(s.charAt(e))) {
                String word = s.substring(j, e);
                if (COMMAND_PREFIXES.contains(word) || CMD_STRONG.contains(word)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether {@code for} or {@code if} stands where {@link #WIN_BATCH} looks for it: at the start, or after
     * {@code & | ; ( newline} and blanks, with an optional {@code @}. The regex needs one there.
     */
    static boolean batchKeywordAtStart(String s) {
        int n = s.length();
        for (int i = -1; i < n; i++) {
            if (i >= 0) {
                char c = s.charAt(i);
                if (c != '&' && c != '|' && c != ';' && c != '(' && c != '\n') {
                    continue;
                }
            }
            int j = i + 1;
            while (i >= 0 && j < n && isRegexSpace(s.charAt(j))) {
                j++;
            }
            if (j < n && s.charAt(j) == '@') {
                j++;
            }
            if (s.startsWith("for", j) || s.startsWith("if", j)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isRegexSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
    }

    /** After a strong command word and a space: a token that is not an English function word. */
    private static boolean followedByToken(String s, int i) {
        int j = i;
        while (j < s.length() && s.charAt(j) == ' ') {
            j++;
        }
        int e = j;
        while (e < s.length() && Character.isLetterOrDigit(s.charAt(e))) {
            e++;
        }
        String w = s.substring(j, e).toLowerCase(Locale.ROOT);
        return !(w.isEmpty() || Set.of("and", "or", "the", "a", "an", "is", "are", "was", "in", "on", "of", "to",
                "for", "with", "away", "it", "this", "that", "up", "out", "me", "you", "we", "i", "at", "as").contains(w))
                && e < s.length() && "/-.$<>|;&`'\"".indexOf(s.charAt(e)) >= 0;
    }

    static String phpFile(String l) {
        int dot = l.lastIndexOf('.');
        if (dot < 0) {
            return null;
        }
        String ext = l.substring(dot + 1).trim();
        if (ext.startsWith("php") || ext.equals("phtml") || ext.equals("phar") || ext.equals("pht")
                || ext.equals("jsp") || ext.equals("jspx") || ext.equals("asp") || ext.equals("aspx")
                || ext.equals("shtml") || ext.equals("cgi") || ext.equals("htaccess") || l.endsWith(".user.ini")) {
            return l;
        }
        return null;
    }

    static String phpIni(String l) {
        String[] hit = new String[1];
        PHP_INI.scan(l, (idx, end) -> {
            String ph = PHP_INI.phrase(idx);
            int start = end - ph.length();
            if (start > 0 && (Character.isLetterOrDigit(l.charAt(start - 1)) || l.charAt(start - 1) == '_')) {
                return true;
            }
            int j = end;
            while (j < l.length() && l.charAt(j) == ' ') {
                j++;
            }
            if (j < l.length() && l.charAt(j) == '=' && (start == 0 || l.charAt(start - 1) == '\n' || l.charAt(start - 1) == ' ' || l.charAt(start - 1) == ';' || l.charAt(start - 1) == '"' || l.charAt(start - 1) == '\'')) {
                hit[0] = frag(l, start, j + 20);
                return false;
            }
            return true;
        });
        return hit[0];
    }

    static String phpCall(Value v, PhraseMatcher funcs, boolean weak) {
        String l = v.decLower();
        String[] hit = new String[1];
        funcs.scan(l, (idx, end) -> {
            String ph = funcs.phrase(idx);
            int start = end - ph.length();
            if (start > 0) {
                char b = l.charAt(start - 1);
                if (Character.isLetterOrDigit(b) || b == '_' || b == '$' || (weak && b == '.') || (weak && b == '-')) {
                    return true;
                }
            }
            if (end < l.length() && (Character.isLetterOrDigit(l.charAt(end)) || l.charAt(end) == '_')) {
                return true;
            }
            String rest = l.substring(end, Math.min(l.length(), end + 200));
            Matcher m = PHP_CALL_ARGS.matcher(rest);
            if (m.find()) {
                if (weak && (ph.equals("print") || ph.equals("echo") || ph.equals("header") || ph.equals("die"))
                        && !(rest.trim().startsWith("('") || rest.trim().startsWith("(\"") || rest.trim().startsWith("($"))) {
                    return true;
                }
                hit[0] = frag(l, start, end + 30);
                return false;
            }
            return true;
        });
        return hit[0];
    }

    static String nodeInjection(Value v) {
        String l = v.low();
        String f = NODE.find(l);
        if (f == null) {
            return null;
        }
        // generic JS constructs need a second signal
        if ((f.equals("console.log(") || f.equals("console.info(")) && !(l.contains("//") || l.contains("constructor") || l.contains("'_prefix'") || l.contains("\"_prefix\""))) {
            return null;
        }
        if (f.equals("eval(") || f.equals("function(") || f.equals("settimeout(") || f.equals("setinterval(")
                || f.equals("new function") || f.equals("=>") || f.equals("module.exports") || f.equals("require(")
                || f.equals("process.env") || f.equals("fromcharcode") || f.equals(".constructor(")) {
            if (!(l.contains("child_process") || l.contains("process.") || l.contains("require(") && (l.contains("fs") || l.contains("child") || l.contains("net") || l.contains("http"))
                    || l.contains("constructor(") && l.contains("return") || l.contains(".exec") || l.contains("spawn"))) {
                return null;
            }
        }
        int i = l.indexOf(f);
        return frag(l, i, i + 60);
    }

    static String ctrlNewline(String d) {
        for (int i = 0; i < d.length(); i++) {
            if (d.charAt(i) == '\n' || d.charAt(i) == '\r') {
                return frag(d, i - 20, i + 40);
            }
        }
        return null;
    }

    static String nullByte(Value v) {
        String d = v.raw;
        int i = d.indexOf('\0');
        if (i < 0) {
            // "%00" and "%2500" have no letters: the raw value is searched as it is, without a lower-cased copy
            // (a megabyte of percent signs spent a third of its inspection here)
            i = d.indexOf("%00");
            if (i < 0) {
                // in arguments, their names and cookies (decoded once already) only a NUL or a "%00" counts
                if ((v.kind & (ARG | ARG_NAME | COOKIE)) != 0) {
                    return null;
                }
                i = d.indexOf("%2500");
                if (i < 0) {
                    return null;
                }
            }
        }
        return frag(v.raw, i - 20, i + 20);
    }

    static String xss(Value v) {
        Finding f = CrossSiteScripting.detect(v.dec());
        if (f == null) {
            String d = v.dec();
            if (d.indexOf('+') >= 0 && d.indexOf("+AD") >= 0) {
                f = CrossSiteScripting.detect(utf7(d));
            }
        }
        return f == null ? null : (f.fragment() == null || f.fragment().isEmpty() ? frag(v.dec(), 0, 80) : f.fragment());
    }

    static String sqli(Value v) {
        if ((v.classes & ~(C_ALPHA | C_DIGIT | C_DOT | C_DASH)) == 0) {
            // Words joined by dots and dashes (an id, a version, a host name) cannot be injected SQL: without blanks,
            // quotes, parentheses, comments or operators no keyword can be set apart from its neighbours. Slashes and
            // colons are not in this set: `select/1/from/users` and `select:password:from:users` separate keywords
            // as well as a blank does.
            return null;
        }
        if ((v.classes & ~WORDS_AND_PATHS) == 0 && numericSeparators(v.raw)) {
            // the same, with colons and slashes only between digits and no two letters together: a timestamp, a
            // time, a date, a ratio
            return null;
        }
        Finding f = SqlInjection.detect(v.dec());
        if (f == null && (v.kind & PATH) != 0) {
            // an injected path segment: classify the last segment on its own, without the leading slash
            String d = v.dec();
            int slash = d.lastIndexOf('/');
            if (slash >= 0 && slash + 1 < d.length() && (d.indexOf('\'') > slash || d.indexOf(' ', slash) > slash)) {
                f = SqlInjection.detect(d.substring(slash + 1));
            }
        }
        return f == null ? null : (f.fragment() == null || f.fragment().isEmpty() ? frag(v.dec(), 0, 80) : f.fragment());
    }

    /**
     * Whether every {@code :} and {@code /} of {@code s} has a digit on both sides and no two letters stand
     * together ({@code T}, {@code Z}): the shape of timestamps and dates, in which no SQL keyword (two letters at
     * least: {@code or}, {@code is}) can stand.
     */
    static boolean numericSeparators(String s) {
        int letters = 0;
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
                if (++letters > 1) {
                    return false;
                }
                continue;
            }
            letters = 0;
            if ((c == ':' || c == '/') && (i == 0 || i + 1 == n || !isDigit(s.charAt(i - 1)) || !isDigit(s.charAt(i + 1)))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Minimal UTF-7 decode of {@code +...-} runs (the XSS-through-charset trick). */
    static String utf7(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '+') {
                int e = i + 1;
                while (e < s.length() && (Character.isLetterOrDigit(s.charAt(e)) || s.charAt(e) == '+' || s.charAt(e) == '/')) {
                    e++;
                }
                String b = s.substring(i + 1, e);
                if (b.isEmpty()) {
                    sb.append('+');
                } else {
                    try {
                        String pad = b + "===".substring(0, (4 - b.length() % 4) % 4);
                        byte[] raw = java.util.Base64.getDecoder().decode(pad.length() % 4 == 0 ? pad : b);
                        for (int k = 0; k + 1 < raw.length; k += 2) {
                            sb.append((char) (((raw[k] & 0xFF) << 8) | (raw[k + 1] & 0xFF)));
                        }
                    } catch (IllegalArgumentException ex) {
                        sb.append(b);
                    }
                }
                i = (e < s.length() && s.charAt(e) == '-') ? e + 1 : e;
            } else {
                sb.append(c);
                i++;
            }
        }
        return sb.toString();
    }
}
