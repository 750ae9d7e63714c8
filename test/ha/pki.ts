/**
 * Test certificates made with openssl (EC P-256, valid one day): a CA and leaves signed by it,
 * with exactly the SANs and extended key usages asked for.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";

export interface Leaf {
    readonly cert: string;
    readonly key: string;
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

function openssl(dir: string, args: readonly string[]): string {
    return execFileSync("openssl", args, { cwd: dir, stdio: "pipe", timeout: 20_000, encoding: "utf8" });
}

export class TestCa {
    readonly cert: string;
    private readonly key: string;

    constructor(
        readonly dir: string,
        readonly name: string,
    ) {
        fs.mkdirSync(dir, { recursive: true });
        this.cert = path.join(dir, `${name}.crt`);
        this.key = path.join(dir, `${name}.key`);
        openssl(dir, ["req", "-x509", ...EC, "-keyout", this.key, "-out", this.cert, "-subj", `/CN=${name}`, "-days", "1",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
    }

    /**
     * A leaf for `cn` with these SANs (IP literals become IP SANs, the rest DNS SANs) and extended
     * key usages (`serverAuth`, `clientAuth`).
     */
    issue(file: string, cn: string, sans: readonly string[], usages: readonly ("serverAuth" | "clientAuth")[]): Leaf {
        const base = path.join(this.dir, file);
        const ext = [
            "basicConstraints=critical,CA:FALSE",
            "keyUsage=critical,digitalSignature,keyEncipherment",
            `extendedKeyUsage=${usages.join(",")}`,
            ...(sans.length ? [`subjectAltName=${sans.map((s) => (net.isIP(s) ? `IP:${s}` : `DNS:${s}`)).join(",")}`] : []),
        ];
        fs.writeFileSync(`${base}.ext`, `${ext.join("\n")}\n`);
        openssl(this.dir, ["req", "-new", ...EC, "-keyout", `${base}.key`, "-out", `${base}.csr`, "-subj", `/CN=${cn}`]);
        openssl(this.dir, ["x509", "-req", "-in", `${base}.csr`, "-CA", this.cert, "-CAkey", this.key, "-CAcreateserial", "-days", "1",
            "-extfile", `${base}.ext`, "-out", `${base}.crt`]);
        return { cert: `${base}.crt`, key: `${base}.key` };
    }
}

/** The SANs of a certificate as openssl prints them, e.g. `["DNS:api.dev.internal", "IP Address:211.183.3.250"]`. */
export function sansOf(certFile: string): string[] {
    const out = execFileSync("openssl", ["x509", "-in", certFile, "-noout", "-ext", "subjectAltName"], { encoding: "utf8", timeout: 10_000 });
    const line = out.split("\n").slice(1).join(" ").trim();
    return line ? line.split(/,\s*/) : [];
}
