import L01_data_layer  # expect: import-escape

try:
    import L01_data_layer.cache as cache
except ImportError:
    cache = None


def schedule(job):
    return L01_data_layer, cache, job
