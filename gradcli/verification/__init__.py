"""Verify a claimed derivative: the verdict, the diagnosis of a wrong claim.

The package is not called ``verify`` because ``gradcli.verify`` is the
public function; a subpackage of that name would replace it on import.
"""
