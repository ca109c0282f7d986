// The Content-Type `aws s3 sync` gives a new upload: aws-cli's `guess_content_type` is Python's
// `mimetypes.guess_type(path)[0]` (awscli/customizations/s3/utils.py), and no Content-Type when that is None
// (S3 then stores its default). Python's table is its built-in one (below: Python 3.11's, the Python of
// both aws CLIs this project is tested with; newer Pythons add a few types) overridden by the mime.types
// files it finds on the machine (on macOS /etc/apache2/mime.types, on Linux /etc/mime.types), read in
// Python's order so that the last mapping of an extension wins.
import { readFileSync } from "node:fs";

/** Python's `mimetypes.knownfiles`, in the order `mimetypes.init()` reads them. */
export const MIME_TYPES_FILES = [
  "/etc/mime.types",
  "/etc/httpd/mime.types",
  "/etc/httpd/conf/mime.types",
  "/etc/apache/mime.types",
  "/etc/apache2/mime.types",
  "/usr/local/etc/httpd/conf/mime.types",
  "/usr/local/lib/netscape/mime.types",
  "/usr/local/etc/httpd/conf/mime.types",
  "/usr/local/etc/mime.types",
];

/** Python 3.11 `mimetypes._types_map_default` (the strict table). */
const PYTHON_TYPES: [string, string][] = [
  [".js", "application/javascript"],
  [".mjs", "application/javascript"],
  [".json", "application/json"],
  [".webmanifest", "application/manifest+json"],
  [".doc", "application/msword"],
  [".dot", "application/msword"],
  [".wiz", "application/msword"],
  [".nq", "application/n-quads"],
  [".nt", "application/n-triples"],
  [".bin", "application/octet-stream"],
  [".a", "application/octet-stream"],
  [".dll", "application/octet-stream"],
  [".exe", "application/octet-stream"],
  [".o", "application/octet-stream"],
  [".obj", "application/octet-stream"],
  [".so", "application/octet-stream"],
  [".oda", "application/oda"],
  [".pdf", "application/pdf"],
  [".p7c", "application/pkcs7-mime"],
  [".ps", "application/postscript"],
  [".ai", "application/postscript"],
  [".eps", "application/postscript"],
  [".trig", "application/trig"],
  [".m3u", "application/vnd.apple.mpegurl"],
  [".m3u8", "application/vnd.apple.mpegurl"],
  [".xls", "application/vnd.ms-excel"],
  [".xlb", "application/vnd.ms-excel"],
  [".ppt", "application/vnd.ms-powerpoint"],
  [".pot", "application/vnd.ms-powerpoint"],
  [".ppa", "application/vnd.ms-powerpoint"],
  [".pps", "application/vnd.ms-powerpoint"],
  [".pwz", "application/vnd.ms-powerpoint"],
  [".wasm", "application/wasm"],
  [".bcpio", "application/x-bcpio"],
  [".cpio", "application/x-cpio"],
  [".csh", "application/x-csh"],
  [".dvi", "application/x-dvi"],
  [".gtar", "application/x-gtar"],
  [".hdf", "application/x-hdf"],
  [".h5", "application/x-hdf5"],
  [".latex", "application/x-latex"],
  [".mif", "application/x-mif"],
  [".cdf", "application/x-netcdf"],
  [".nc", "application/x-netcdf"],
  [".p12", "application/x-pkcs12"],
  [".pfx", "application/x-pkcs12"],
  [".ram", "application/x-pn-realaudio"],
  [".pyc", "application/x-python-code"],
  [".pyo", "application/x-python-code"],
  [".sh", "application/x-sh"],
  [".shar", "application/x-shar"],
  [".swf", "application/x-shockwave-flash"],
  [".sv4cpio", "application/x-sv4cpio"],
  [".sv4crc", "application/x-sv4crc"],
  [".tar", "application/x-tar"],
  [".tcl", "application/x-tcl"],
  [".tex", "application/x-tex"],
  [".texi", "application/x-texinfo"],
  [".texinfo", "application/x-texinfo"],
  [".roff", "application/x-troff"],
  [".t", "application/x-troff"],
  [".tr", "application/x-troff"],
  [".man", "application/x-troff-man"],
  [".me", "application/x-troff-me"],
  [".ms", "application/x-troff-ms"],
  [".ustar", "application/x-ustar"],
  [".src", "application/x-wais-source"],
  [".xsl", "application/xml"],
  [".rdf", "application/xml"],
  [".wsdl", "application/xml"],
  [".xpdl", "application/xml"],
  [".zip", "application/zip"],
  [".3gp", "audio/3gpp"],
  [".3gpp", "audio/3gpp"],
  [".3g2", "audio/3gpp2"],
  [".3gpp2", "audio/3gpp2"],
  [".aac", "audio/aac"],
  [".adts", "audio/aac"],
  [".loas", "audio/aac"],
  [".ass", "audio/aac"],
  [".au", "audio/basic"],
  [".snd", "audio/basic"],
  [".mp3", "audio/mpeg"],
  [".mp2", "audio/mpeg"],
  [".opus", "audio/opus"],
  [".aif", "audio/x-aiff"],
  [".aifc", "audio/x-aiff"],
  [".aiff", "audio/x-aiff"],
  [".ra", "audio/x-pn-realaudio"],
  [".wav", "audio/x-wav"],
  [".avif", "image/avif"],
  [".bmp", "image/bmp"],
  [".gif", "image/gif"],
  [".ief", "image/ief"],
  [".jpg", "image/jpeg"],
  [".jpe", "image/jpeg"],
  [".jpeg", "image/jpeg"],
  [".heic", "image/heic"],
  [".heif", "image/heif"],
  [".png", "image/png"],
  [".svg", "image/svg+xml"],
  [".tiff", "image/tiff"],
  [".tif", "image/tiff"],
  [".ico", "image/vnd.microsoft.icon"],
  [".ras", "image/x-cmu-raster"],
  [".pnm", "image/x-portable-anymap"],
  [".pbm", "image/x-portable-bitmap"],
  [".pgm", "image/x-portable-graymap"],
  [".ppm", "image/x-portable-pixmap"],
  [".rgb", "image/x-rgb"],
  [".xbm", "image/x-xbitmap"],
  [".xpm", "image/x-xpixmap"],
  [".xwd", "image/x-xwindowdump"],
  [".eml", "message/rfc822"],
  [".mht", "message/rfc822"],
  [".mhtml", "message/rfc822"],
  [".nws", "message/rfc822"],
  [".css", "text/css"],
  [".csv", "text/csv"],
  [".html", "text/html"],
  [".htm", "text/html"],
  [".n3", "text/n3"],
  [".txt", "text/plain"],
  [".bat", "text/plain"],
  [".c", "text/plain"],
  [".h", "text/plain"],
  [".ksh", "text/plain"],
  [".pl", "text/plain"],
  [".srt", "text/plain"],
  [".rtx", "text/richtext"],
  [".tsv", "text/tab-separated-values"],
  [".vtt", "text/vtt"],
  [".py", "text/x-python"],
  [".etx", "text/x-setext"],
  [".sgm", "text/x-sgml"],
  [".sgml", "text/x-sgml"],
  [".vcf", "text/x-vcard"],
  [".xml", "text/xml"],
  [".mp4", "video/mp4"],
  [".mpeg", "video/mpeg"],
  [".m1v", "video/mpeg"],
  [".mpa", "video/mpeg"],
  [".mpe", "video/mpeg"],
  [".mpg", "video/mpeg"],
  [".mov", "video/quicktime"],
  [".qt", "video/quicktime"],
  [".webm", "video/webm"],
  [".avi", "video/x-msvideo"],
  [".movie", "video/x-sgi-movie"],
];

const SUFFIX_MAP = new Map([
  [".svgz", ".svg.gz"],
  [".tgz", ".tar.gz"],
  [".taz", ".tar.gz"],
  [".tz", ".tar.gz"],
  [".tbz2", ".tar.bz2"],
  [".txz", ".tar.xz"],
]);

/** Case-sensitive, as in Python. */
const ENCODINGS = new Set([".gz", ".Z", ".bz2", ".xz", ".br"]);

/** Python's `MimeTypes.readfp`: `type ext ext…` per line, `#` starts a comment; later lines win. */
export function parseMimeTypes(text: string, into: Map<string, string>): void {
  for (const line of text.split("\n")) {
    const words = line.split(/\s+/).filter(Boolean);
    const comment = words.findIndex((w) => w.startsWith("#"));
    if (comment >= 0) words.length = comment;
    if (words.length < 2) continue;
    const [type, ...suffixes] = words;
    for (const suffix of suffixes) into.set(`.${suffix}`, type);
  }
}

/** Python's table as `mimetypes.init()` builds it: built-in types, then each mime.types file found. */
export function loadTypeTable(files: readonly string[] = MIME_TYPES_FILES): Map<string, string> {
  const table = new Map(PYTHON_TYPES);
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    parseMimeTypes(text, table);
  }
  return table;
}

let defaultTable: Map<string, string> | undefined;

/** `posixpath.splitext`: the extension starts at the last dot of the last component, leading dots aside. */
function splitext(path: string): [string, string] {
  const sep = path.lastIndexOf("/");
  const dot = path.lastIndexOf(".");
  if (dot > sep) {
    for (let i = sep + 1; i < dot; i++) if (path[i] !== ".") return [path.slice(0, dot), path.slice(dot)];
  }
  return [path, ""];
}

/**
 * What `mimetypes.guess_type(path)[0]` answers for a file (aws passes the absolute local path, so no part
 * of it reads as a URL scheme): undefined when Python cannot guess, and aws then sends no Content-Type.
 */
export function guessContentType(
  path: string,
  table: ReadonlyMap<string, string> = (defaultTable ??= loadTypeTable()),
): string | undefined {
  let [base, ext] = splitext(path);
  for (let mapped = SUFFIX_MAP.get(ext.toLowerCase()); mapped; mapped = SUFFIX_MAP.get(ext.toLowerCase()))
    [base, ext] = splitext(base + mapped);
  if (ENCODINGS.has(ext)) [base, ext] = splitext(base);
  return table.get(ext.toLowerCase());
}
