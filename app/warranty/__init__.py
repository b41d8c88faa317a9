"""Warranty (三包 / 索赔): line coverage and eligibility, claims to the maker, the three-guarantee tracker."""
