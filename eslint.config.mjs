// Lint: typescript-eslint's recommended rules over every TypeScript file the project type-checks.
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/**", "dist/**", "bin/**", "out/**", "lab/**", "**/*.js", "**/*.mjs"] },
    ...tseslint.configs.recommended,
    {
        rules: {
            // `_`-prefixed parameters and rest siblings are deliberate (tsc's noUnused* covers the rest).
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true }],
        },
    },
    {
        // Tests read plans and provider inputs as loose JSON; `any` there is the honest type.
        files: ["test/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
);
