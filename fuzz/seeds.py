#!/usr/bin/env python3
"""Writes fuzz/seeds/<target>/: the starting inputs of every target, made from the shipped data
(fixture bodies and transcripts, schema pages, the derive and import test data, the expectations file)
with the control bytes each target reads first. Not committed: run it again after the data changes."""
import os, glob, json
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
out = root + '/fuzz/seeds'
def put(target, name, data):
    d = f'{out}/{target}'
    os.makedirs(d, exist_ok=True)
    open(f'{d}/{name}', 'wb').write(data)
bodies = sorted(glob.glob(f'{root}/fixtures/**/*.json', recursive=True))
for i, p in enumerate(bodies):
    b = open(p, 'rb').read()
    put('verdict', f'b{i}', b)
    try:
        line = json.dumps(json.loads(b), ensure_ascii=False, separators=(',', ':')).encode()
    except Exception:
        line = b.replace(b'\n', b' ')
    put('jsonl', f'b{i}', bytes([i % 256]) + line + b'\n' + line + b'\n')
sses = sorted(glob.glob(f'{root}/fixtures/**/*.sse', recursive=True))
for i, p in enumerate(sses):
    b = open(p, 'rb').read()
    for c in range(6):
        put('stream', f's{i}-{c}', bytes([c]) + b)
providers = sorted(os.listdir(f'{root}/schemas'))
providers = [p for p in providers if os.path.isdir(f'{root}/schemas/{p}')]
for pi, p in enumerate(providers):
    pages = sorted(n for n in os.listdir(f'{root}/schemas/{p}') if n.endswith('.md'))
    for i, n in enumerate(pages):
        b = open(f'{root}/schemas/{p}/{n}', 'rb').read()
        put('tables', f'{p}-{i}', bytes([pi, i, 0]) + b)
        put('tables', f'{p}-{i}-chunk', bytes([pi | 0x80, i, 0]) + b)
# The empty folder (index len(providers)): root.md and page.md from the derive test page sets.
k = 0
for d in glob.glob(f'{root}/harness/tests/data/derive/*/docs'):
    files = sorted(glob.glob(f'{d}/**/*.md*', recursive=True))
    for f in files:
        put('tables', f'derive-{k}', bytes([len(providers), 0, 1]) + open(f, 'rb').read())
        k += 1
exp = open(f'{root}/fixtures/chatcompat-expectations.toml', 'rb').read()
put('expectations', 'shipped', exp + b'\0atoma/streams/valid/stop-reason-bare-number.sse\t/choices/0/stop_reason\ttype\nx.json\n')
put('expectations', 'small', b'[[expect]]\nfixtures = "a/*.json"\npointer = "/service_tier"\nkeyword = "enum"\nreason = "r"\nlink = "l"\n\n[[expect]]\nfixtures = "s/*.sse"\nrule = "usage-lost"\nevent = 3\nreason = "r"\n\0a/x.json\t/service_tier\tenum\ns/y.sse\t\tusage-lost\nb.json\t/id\ttype\n')
imports = sorted(glob.glob(f'{root}/harness/tests/data/import/*'))
for i, p in enumerate(imports):
    b = open(p, 'rb').read()
    for c in (0xff, 0xef, 0x04 | 0x10):
        put('import', f'i{i}-{c}', bytes([c]) + b)
for i, p in enumerate(sses[:20] + bodies[::20]):
    put('import', f'f{i}', bytes([0x1f]) + open(p, 'rb').read())
print(providers)
for t in sorted(os.listdir(out)):
    print(t, len(os.listdir(f'{out}/{t}')))
