"""Spine Pathway Explorer: the entry point only sets the page, the shared notice and navigation."""
import streamlit as st

from core import load_guideline

st.set_page_config(page_title="Spine Pathway Explorer", layout="wide")
guideline = load_guideline()
st.title("Spine Pathway Explorer")
st.caption(f"{guideline.info.notice} Guideline version {guideline.info.version}.")
st.write("The dashboard is being built; the command line (`python -m core evaluate CASE.json`) works now.")
