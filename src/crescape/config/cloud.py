"""Deck model of the cloud engine (placeholder: filled in with the SDE engine)."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import OutputSection, RunSection, Section


class CloudDeck(Section):
    engine: Literal["cloud"] = "cloud"
    run: RunSection = Field(default_factory=RunSection)
    output: OutputSection = Field(default_factory=OutputSection)
