import inspect

import gazetteer.errors as gerr
import mapper.errors as merr


def _subclasses(root):
    out, todo = [], [root]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            out.append(sub)
            todo.append(sub)
    return out


def test_every_gazetteer_error_derives_from_the_root_and_is_documented():
    classes = [c for _, c in inspect.getmembers(gerr, inspect.isclass) if issubclass(c, Exception)]
    assert len(classes) >= 6
    for cls in classes:
        assert issubclass(cls, gerr.GazetteerError), cls
        assert cls.__doc__ and len(cls.__doc__) > 20, cls


def test_every_mapper_error_derives_from_the_root_and_is_documented():
    classes = [c for _, c in inspect.getmembers(merr, inspect.isclass) if issubclass(c, Exception)]
    for cls in classes:
        assert issubclass(cls, merr.MapperError), cls
        assert cls.__doc__, cls


def test_errors_mix_in_builtins():
    assert issubclass(gerr.PlaceNotFound, LookupError)
    assert issubclass(gerr.InvalidQuery, ValueError)
    assert issubclass(merr.ClaimsFileError, ValueError)
    e = gerr.PlaceNotFound("x", query="q", suggestions=["a"])
    assert e.suggestions == ["a"] and e.query == "q"
    assert set(_subclasses(gerr.GazetteerError)) >= {gerr.PlaceNotFound, gerr.AmbiguousPlace}
