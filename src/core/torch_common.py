# Shared head of the generated PyTorch scripts (src/core/torchExport.ts pastes it in at @COMMON@): imports,
# the embedded configuration, safetensors read and written with the standard library only, and the command
# line the predict.py scripts share.
import argparse
import array
import json
import math
import os
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

CONFIG = json.loads(r'''@CONFIG@''')
HERE = os.path.dirname(os.path.abspath(__file__))
FORMAT = 'unroll-checkpoint/1'


# ---- safetensors, with the standard library only
def load_safetensors(path):
    with open(path, 'rb') as f:
        raw = f.read()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n].decode('utf-8'))
    meta = header.pop('__metadata__', {})
    data = raw[8 + n:]
    tensors = {}
    for name, t in header.items():
        if t['dtype'] != 'F32':
            raise ValueError('%s: dtype %s, expected F32' % (name, t['dtype']))
        a, b = t['data_offsets']
        flat = array.array('f')
        flat.frombytes(data[a:b])
        if sys.byteorder != 'little':
            flat.byteswap()
        tensors[name] = torch.tensor(flat, dtype=torch.float32).reshape(t['shape'])
    return tensors, meta


def save_safetensors(path, tensors, meta):
    header, blobs, offset = {'__metadata__': meta}, [], 0
    for name, t in tensors.items():
        flat = array.array('f', t.detach().to('cpu', torch.float32).reshape(-1).tolist())
        if sys.byteorder != 'little':
            flat.byteswap()
        blob = flat.tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    head = json.dumps(header, separators=(',', ':')).encode('utf-8')
    head += b' ' * ((8 - (8 + len(head)) % 8) % 8)
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(struct.pack('<Q', len(head)) + head)
        for blob in blobs:
            f.write(blob)
    os.replace(tmp, path)


# ---- the command line every predict.py shares
def predict_arguments(eval_help):
    """--model, --vocab and one of --predict FILE or --eval FILE (its lines as `eval_help` says)."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--model', default=os.path.join(HERE, 'model.safetensors'))
    ap.add_argument('--vocab', default=os.path.join(HERE, 'vocab.json'))
    what = ap.add_mutually_exclusive_group(required=True)
    what.add_argument('--predict', help='a file of inputs, one per line')
    what.add_argument('--eval', help=eval_help)
    return ap
