"""conflictmap's mapper: claims model, timeline, renderers and the CLI.

Public API::

    from mapper import Claim, TimeSpan
"""

from mapper.errors import MapperError
from mapper.model import Claim, Origin, TimeSpan, STATUSES

__version__ = "0.1.0"

__all__ = ["Claim", "Origin", "TimeSpan", "STATUSES", "MapperError", "__version__"]
