"""Deck model of the SDE engine (placeholder: filled in with the SDE engine)."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import OutputSection, RunSection, Section


class SDEDeck(Section):
    engine: Literal["sde"] = "sde"
    run: RunSection = Field(default_factory=RunSection)
    output: OutputSection = Field(default_factory=OutputSection)
