// ESLint rules that keep the test suite honest (registered as the `suite` plugin in
// eslint.config.mjs, applied to *.test.ts). Tests: tooling/testing/test/suite-rules.test.ts.
//
// suite/no-expected-from-code
//   The expected value of an assertion must not come from the code under test: a test that compares
//   `tlsPolicy` with the `TLS_POLICY` the module exports passes whatever that constant says.
//   Heuristic (precise rather than broad):
//   - "code under test" = a relative import whose resolved path is not a test file, not under a
//     `test/` directory and not under tooling/testing/ (the shared test helpers);
//   - "constant" = an imported binding whose exported or local name is UPPER_CASE
//     (`/^[A-Z][A-Z0-9_]*$/`, e.g. TLS_POLICY, DEFAULTS), or `ns.UPPER_CASE` on a namespace import;
//   - "expected value" = the second argument of assert.equal / strictEqual / deepEqual /
//     deepStrictEqual / partialDeepStrictEqual / notEqual / notStrictEqual / notDeepEqual /
//     notDeepStrictEqual / match / doesNotMatch (also called bare, when imported from "assert"),
//     and the argument of expect(...).toBe / toEqual / toStrictEqual / toMatch;
//   - the constant is reported when it reaches that argument through value positions only: the
//     expression itself, a member access on it, array / object literals, spreads, template literals,
//     operators, `as` casts, `new RegExp(...)`, a method called on it (`CONST.map(...).sort()`),
//     Object.keys / values / entries / fromEntries and Array.from. Any other call stops the search
//     (`f(CONST)` is an input to code, typically the actual side), and so does a function body;
//   - a local `const x = CONST...` is followed: `x` is then a constant from the code too.
//   Comparing a constant with a literal (`assert.equal(TLS_POLICY, "ELBSecurityPolicy-...")`) is
//   what pins it, and is allowed: the constant is then the actual value.
//
// suite/no-unchecked-loop
//   A `for (... of list)` or `list.forEach(...)` in a test checks nothing when the list is empty.
//   The list counts as checked when it is
//   - a non-empty array or string literal, or `nonEmpty(...)` (tooling/testing/non-empty.ts), or a
//     local const bound to one of those;
//   - or an earlier statement of an enclosing block (in the same function) is an assertion
//     (`assert(...)`, `assert.*(...)`, `nonEmpty(...)`, `expect(...)...`) whose arguments contain the
//     same expression as the loop's list, or its `.length` / `.size` (compared by source text),
//     unless it asserts the list is empty (`assert.equal(list.length, 0)`, `deepEqual(list, [])`).
"use strict";

const path = require("node:path");

const CONSTANT = /^[A-Z][A-Z0-9_]*$/;
const COMPARISONS = new Set([
  "equal",
  "strictEqual",
  "deepEqual",
  "deepStrictEqual",
  "partialDeepStrictEqual",
  "notEqual",
  "notStrictEqual",
  "notDeepEqual",
  "notDeepStrictEqual",
  "match",
  "doesNotMatch",
]);
const EXPECT_MATCHERS = new Set(["toBe", "toEqual", "toStrictEqual", "toMatch"]);

/** Whether a relative import resolves to code under test (not a test, fixture or test helper). */
function isCodeUnderTest(filename, source) {
  if (!source.startsWith(".")) return false;
  const resolved = path.resolve(path.dirname(filename), source).split(path.sep).join("/");
  if (/(^|\/)test(\/|$)/.test(resolved)) return false;
  if (/(^|\/)tooling\/testing(\/|$)/.test(resolved)) return false;
  if (/\.test(\.ts)?$/.test(resolved)) return false;
  return true;
}

function isAssertModule(source) {
  return ["assert", "node:assert", "assert/strict", "node:assert/strict"].includes(source);
}

/**
 * For a node inside an assertion call: the call and the argument index when the node sits in one of
 * its expected positions, climbing only through value positions; otherwise null. Also reports a
 * variable declarator reached through value positions (to follow `const x = CONST`).
 */
function climb(node, assertNames) {
  let child = node;
  let parent = node.parent;
  while (parent) {
    switch (parent.type) {
      case "MemberExpression":
        if (parent.object !== child) return null; // CONST used as a computed key: not a value
        break;
      case "ChainExpression":
      case "ArrayExpression":
      case "SpreadElement":
      case "TemplateLiteral":
      case "BinaryExpression":
      case "LogicalExpression":
      case "UnaryExpression":
      case "TSAsExpression":
      case "TSNonNullExpression":
      case "TSSatisfiesExpression":
        break;
      case "ConditionalExpression":
        if (parent.test === child) return null;
        break;
      case "Property":
        if (parent.value !== child) return null;
        break;
      case "ObjectExpression":
        break;
      case "NewExpression":
        if (!(parent.callee.type === "Identifier" && parent.callee.name === "RegExp")) return null;
        if (parent.callee === child) return null;
        break;
      case "VariableDeclarator":
        return parent.init === child && parent.id.type === "Identifier"
          ? { declarator: parent }
          : null;
      case "CallExpression": {
        // CONST.map(...), CONST.sort(): a method of the constant still yields the constant's data.
        if (parent.callee === child) {
          if (child.type === "MemberExpression") break;
          return null;
        }
        if (isProjection(parent.callee)) break;
        const index = parent.arguments.indexOf(child);
        if (index === 1 && isComparison(parent.callee, assertNames)) return { call: parent };
        if (index === 0 && isExpectMatcher(parent.callee)) return { call: parent };
        return null;
      }
      default:
        return null;
    }
    child = parent;
    parent = parent.parent;
  }
  return null;
}

/** Object.keys / values / entries / fromEntries and Array.from: the data of their argument. */
function isProjection(callee) {
  return (
    callee.type === "MemberExpression" &&
    !callee.computed &&
    callee.object.type === "Identifier" &&
    ((callee.object.name === "Object" &&
      ["keys", "values", "entries", "fromEntries"].includes(callee.property.name)) ||
      (callee.object.name === "Array" && callee.property.name === "from"))
  );
}

function isComparison(callee, assertNames) {
  if (callee.type === "Identifier") return assertNames.bare.has(callee.name);
  if (callee.type !== "MemberExpression" || callee.computed) return false;
  if (!COMPARISONS.has(callee.property.name)) return false;
  // assert.equal, assert.strict.equal
  let object = callee.object;
  if (object.type === "MemberExpression" && !object.computed && object.property.name === "strict") {
    object = object.object;
  }
  return object.type === "Identifier" && assertNames.namespaces.has(object.name);
}

function isExpectMatcher(callee) {
  if (callee.type !== "MemberExpression" || callee.computed) return false;
  if (!EXPECT_MATCHERS.has(callee.property.name)) return false;
  let object = callee.object;
  if (object.type === "MemberExpression" && !object.computed && object.property.name === "not") {
    object = object.object;
  }
  return (
    object.type === "CallExpression" &&
    object.callee.type === "Identifier" &&
    object.callee.name === "expect"
  );
}

const noExpectedFromCode = {
  meta: {
    type: "problem",
    docs: {
      description:
        "an assertion's expected value must not be a constant imported from the code under test",
    },
    schema: [],
    messages: {
      fromCode:
        "expected value comes from {{name}}, a constant of the code under test ({{source}}): " +
        "write the literal value from its source of truth (AWS documentation, the spec) instead",
    },
  },
  create(context) {
    const filename = context.filename;
    const sourceCode = context.sourceCode;
    const assertNames = { namespaces: new Set(["assert"]), bare: new Set() };
    const constants = []; // { variable, name, source, member: boolean }

    return {
      ImportDeclaration(node) {
        const source = node.source.value;
        if (isAssertModule(source)) {
          for (const spec of node.specifiers) {
            if (spec.type === "ImportSpecifier") {
              const imported = spec.imported.name;
              if (COMPARISONS.has(imported)) assertNames.bare.add(spec.local.name);
              if (imported === "strict") assertNames.namespaces.add(spec.local.name);
            } else {
              assertNames.namespaces.add(spec.local.name);
            }
          }
          return;
        }
        if (!isCodeUnderTest(filename, source)) return;
        for (const spec of node.specifiers) {
          if (spec.importKind === "type" || node.importKind === "type") continue;
          const [variable] = sourceCode.getDeclaredVariables(spec);
          if (!variable) continue;
          if (spec.type === "ImportNamespaceSpecifier") {
            constants.push({ variable, name: spec.local.name, source, member: true });
          } else if (spec.type === "ImportSpecifier") {
            const imported = spec.imported.name ?? spec.imported.value;
            if (CONSTANT.test(imported) || CONSTANT.test(spec.local.name)) {
              constants.push({ variable, name: imported, source, member: false });
            }
          }
        }
      },
      "Program:exit"() {
        const reported = new Set();
        const visit = (variable, name, source, member, seen) => {
          if (seen.has(variable)) return;
          seen.add(variable);
          for (const ref of variable.references) {
            if (!ref.isRead()) continue;
            let start = ref.identifier;
            let shown = name;
            if (member) {
              // ns.CONSTANT only
              const parent = start.parent;
              if (
                parent.type !== "MemberExpression" ||
                parent.object !== start ||
                parent.computed ||
                !CONSTANT.test(parent.property.name)
              ) {
                continue;
              }
              start = parent;
              shown = `${name}.${parent.property.name}`;
            }
            const hit = climb(start, assertNames);
            if (!hit) continue;
            if (hit.call) {
              if (reported.has(start)) continue;
              reported.add(start);
              context.report({ node: start, messageId: "fromCode", data: { name: shown, source } });
            } else if (hit.declarator) {
              const [alias] = sourceCode.getDeclaredVariables(hit.declarator);
              const kind = hit.declarator.parent.kind;
              if (alias && kind === "const") visit(alias, shown, source, false, seen);
            }
          }
        };
        for (const c of constants) visit(c.variable, c.name, c.source, c.member, new Set());
      },
    };
  },
};

/** The expression without `as` casts, `!` and parentheses. */
function bare(node) {
  while (
    node &&
    (node.type === "TSAsExpression" ||
      node.type === "TSNonNullExpression" ||
      node.type === "TSSatisfiesExpression")
  ) {
    node = node.expression;
  }
  return node;
}

function isNonEmptyCall(node) {
  return (
    node.type === "CallExpression" &&
    node.callee.type === "Identifier" &&
    node.callee.name === "nonEmpty"
  );
}

/** A list that cannot be empty by its shape alone. */
function isNonEmptyByShape(node) {
  node = bare(node);
  if (!node) return false;
  if (node.type === "ArrayExpression") {
    return node.elements.some((e) => e && e.type !== "SpreadElement");
  }
  if (node.type === "Literal" && typeof node.value === "string") return node.value.length > 0;
  if (node.type === "TemplateLiteral") {
    return node.quasis.some((q) => q.value.cooked.length > 0);
  }
  return isNonEmptyCall(node);
}

function isAssertionCall(node) {
  if (node.type !== "CallExpression") return false;
  let callee = node.callee;
  while (callee.type === "MemberExpression") {
    const object = callee.object;
    if (object.type === "CallExpression") {
      callee = object.callee;
      continue;
    }
    callee = object;
  }
  return (
    callee.type === "Identifier" && ["assert", "nonEmpty", "expect", "strict"].includes(callee.name)
  );
}

/** Whether `node` (an assertion call) mentions `text`, `text.length` or `text.size`. */
function mentions(sourceCode, node, text) {
  const wanted = new Set([text, `${text}.length`, `${text}.size`]);
  let found = false;
  const walk = (n) => {
    if (found || !n || typeof n.type !== "string") return;
    if (wanted.has(sourceCode.getText(n))) {
      found = true;
      return;
    }
    for (const key of sourceCode.visitorKeys[n.type] ?? []) {
      const value = n[key];
      if (Array.isArray(value)) value.forEach(walk);
      else walk(value);
    }
  };
  node.arguments.forEach(walk);
  if (!found && node.callee.type === "MemberExpression") walk(node.callee.object);
  return found;
}

/** `assert.equal(x.length, 0)`, `assert.deepEqual(x, [])`: an assertion that the list is empty. */
function assertsEmpty(call) {
  const expected = call.arguments[1];
  if (!expected || call.callee.type !== "MemberExpression" || call.callee.computed) return false;
  if (!COMPARISONS.has(call.callee.property.name) || call.callee.property.name.startsWith("not")) {
    return false;
  }
  return (
    (expected.type === "Literal" && expected.value === 0) ||
    (expected.type === "ArrayExpression" && expected.elements.length === 0)
  );
}

function isFunction(node) {
  return (
    node.type === "FunctionDeclaration" ||
    node.type === "FunctionExpression" ||
    node.type === "ArrowFunctionExpression"
  );
}

const noUncheckedLoop = {
  meta: {
    type: "problem",
    docs: {
      description:
        "a loop over a list in a test must follow an assertion that the list is non-empty",
    },
    schema: [],
    messages: {
      unchecked:
        "loop over {{list}} checks nothing if it is empty: assert it is non-empty first " +
        "(nonEmpty() from tooling/testing/non-empty.ts, or assert.ok({{list}}.length > 0))",
    },
  },
  create(context) {
    const sourceCode = context.sourceCode;

    function checkedByDeclaration(list) {
      if (list.type !== "Identifier") return false;
      const scope = sourceCode.getScope(list);
      let s = scope;
      while (s) {
        const variable = s.set.get(list.name);
        if (variable) {
          return variable.defs.some(
            (def) =>
              def.type === "Variable" &&
              def.parent.kind === "const" &&
              def.node.id.type === "Identifier" &&
              def.node.init &&
              isNonEmptyByShape(def.node.init),
          );
        }
        s = s.upper;
      }
      return false;
    }

    function checkedBefore(loop, list) {
      const text = sourceCode.getText(list);
      let child = loop;
      let parent = loop.parent;
      while (parent && !isFunction(child)) {
        const body =
          parent.type === "BlockStatement" || parent.type === "Program"
            ? parent.body
            : parent.type === "SwitchCase"
              ? parent.consequent
              : null;
        if (body) {
          const index = body.indexOf(child);
          for (const statement of body.slice(0, index)) {
            const expr = statement.type === "ExpressionStatement" ? statement.expression : null;
            if (
              expr &&
              isAssertionCall(expr) &&
              !assertsEmpty(expr) &&
              mentions(sourceCode, expr, text)
            ) {
              return true;
            }
            if (statement.type === "VariableDeclaration") {
              for (const d of statement.declarations) {
                if (d.init && isNonEmptyCall(d.init) && mentions(sourceCode, d.init, text)) {
                  return true;
                }
              }
            }
          }
        }
        child = parent;
        parent = parent.parent;
      }
      return false;
    }

    function check(loop, listNode) {
      const list = bare(listNode);
      if (isNonEmptyByShape(list)) return;
      if (checkedByDeclaration(list)) return;
      if (checkedBefore(loop, list)) return;
      context.report({
        node: listNode,
        messageId: "unchecked",
        data: { list: sourceCode.getText(list) },
      });
    }

    return {
      ForOfStatement(node) {
        check(node, node.right);
      },
      "CallExpression[callee.type='MemberExpression'][callee.property.name='forEach']"(node) {
        if (node.callee.computed) return;
        check(node, node.callee.object);
      },
    };
  },
};

module.exports = {
  meta: { name: "suite" },
  rules: {
    "no-expected-from-code": noExpectedFromCode,
    "no-unchecked-loop": noUncheckedLoop,
  },
};
